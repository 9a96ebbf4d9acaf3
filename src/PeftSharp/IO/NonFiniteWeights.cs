using System.Globalization;
using static TorchSharp.torch;

namespace PeftSharp.IO;

/// <summary>
/// Weights holding NaN or ±Inf (what a diverged run leaves) are refused when loaded — base models, adapters and
/// checkpoints — with one line naming the tensor, because they silently produce garbage ("!!!!") downstream. Inspecting
/// such weights on purpose needs <see cref="Allow"/> (CLI: <c>--allow-non-finite</c>).
/// </summary>
public static class NonFiniteWeights
{
    private static readonly AsyncLocal<bool> AllowedInContext = new();

    /// <summary>Whether non-finite weights are accepted in the current scope.</summary>
    public static bool Allowed => AllowedInContext.Value;

    /// <summary>Within the returned scope (this thread and the work it starts) non-finite weights load without an error.</summary>
    public static IDisposable Allow()
    {
        var previous = AllowedInContext.Value;
        AllowedInContext.Value = true;
        return new Scope(() => AllowedInContext.Value = previous);
    }

    /// <summary>Throws unless every value of a floating-point <paramref name="tensor"/> is finite (or non-finite weights are allowed).</summary>
    internal static void Require(Tensor tensor, string file, string name)
    {
        if (Allowed || !tensor.is_floating_point()) return;
        using var scope = NewDisposeScope();
        long bad = tensor.isfinite().logical_not().sum().item<long>();
        if (bad == 0) return;
        throw new PeftSharpException(string.Create(CultureInfo.InvariantCulture,
            $"{file}: tensor '{name}' holds {bad:N0} non-finite value(s) (NaN or ±Inf), e.g. from a run that diverged; refusing to use it unless non-finite weights are allowed"))
        {
            Remedies = ["AllowNonFinite"],
        };
    }

    private sealed class Scope(Action onDispose) : IDisposable
    {
        public void Dispose() => onDispose();
    }
}
