using System.Globalization;
using PeftSharp.Tuners;

namespace PeftSharp.Cli.Options;

/// <summary>The learning-rate options of <c>peft compare</c>: one rate per method (--lr-per-method) and a grid to choose from on dev (--lr-grid).</summary>
internal static class LearningRates
{
    /// <summary>"full=5e-4,lora=5e-3" → method name → rate; every name must be one of the compared <paramref name="methods"/>.</summary>
    public static IReadOnlyDictionary<string, double> PerMethod(string? text, IReadOnlyList<PeftMethod> methods, string flag)
    {
        var rates = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var entry in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (entry.Split('=', 2) is not [var name, var value])
                throw new PeftSharpException($"{flag}: expected method=rate pairs such as full=5e-4,lora=5e-3, got '{entry}'");
            var method = methods.FirstOrDefault(m => string.Equals(m.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
                ?? throw new PeftSharpException($"{flag}: '{name.Trim()}' is not one of the compared methods ({string.Join(", ", methods.Select(m => m.Name))})");
            if (!rates.TryAdd(method.Name, Rate(value, flag))) throw new PeftSharpException($"{flag}: '{method.Name}' is given twice");
        }
        return rates;
    }

    /// <summary>"1e-3,3e-3,1e-2" → the rates, in order (empty when the option is absent).</summary>
    public static IReadOnlyList<double> Grid(string? text, string flag) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => Rate(v, flag)).ToList();

    private static double Rate(string text, string flag) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate > 0 && double.IsFinite(rate)
            ? rate
            : throw new PeftSharpException($"{flag}: expected a positive learning rate, got '{text.Trim()}'");
}
