using PeftSharp.Tuners.AdaLora;
using PeftSharp.Tuners.DualLora;
using PeftSharp.Tuners.Full;
using PeftSharp.Tuners.Lora;
using PeftSharp.Tuners.Lora2;

namespace PeftSharp.Tuners;

/// <summary>The registry of fine-tuning methods. Adding a method: its folder under Tuners/ and one line here (or <see cref="Register"/> from outside).</summary>
public static class PeftMethods
{
    private static readonly List<PeftMethod> Registered =
    [
        new FullFineTuningMethod(),
        new LoraMethod(),
        new DoraMethod(),
        new LoraPlusMethod(),
        new DualLoraMethod(),
        new Lora2Method(),
        new AdaLoraMethod(),
    ];

    /// <summary>Every method, in registration order.</summary>
    public static IReadOnlyList<PeftMethod> All => Registered;

    /// <summary>The names of every method.</summary>
    public static IReadOnlyList<string> Names => Registered.Select(m => m.Name).ToList();

    /// <summary>The methods a comparison runs when none are named.</summary>
    public static IReadOnlyList<PeftMethod> ComparedByDefault => Registered.Where(m => m.ComparedByDefault).ToList();

    /// <summary>
    /// Adds a method defined outside PeftSharp (its folder: a config deriving from <see cref="AdapterConfig"/>, a layer
    /// deriving from <see cref="TunerLayer"/>, a <see cref="PeftMethod"/>). Disposing the result removes it again.
    /// </summary>
    public static IDisposable Register(PeftMethod method)
    {
        lock (Registered)
        {
            if (Registered.Any(m => string.Equals(m.Name, method.Name, StringComparison.OrdinalIgnoreCase)))
                throw new PeftSharpException($"a method named '{method.Name}' is already registered");
            if (method.ConfigType is { } type && !typeof(AdapterConfig).IsAssignableFrom(type))
                throw new PeftSharpException($"method '{method.Name}': {type.Name} is not an {nameof(AdapterConfig)}");
            Registered.Add(method);
            AdapterConfigFile.Forget();
        }
        return new Registration(method);
    }

    private sealed class Registration(PeftMethod method) : IDisposable
    {
        public void Dispose()
        {
            lock (Registered)
            {
                if (Registered.Remove(method)) AdapterConfigFile.Forget();
            }
        }
    }

    /// <summary>The method named <paramref name="name"/> (case-insensitive), or an error listing the names, with a suggestion when one is close.</summary>
    public static PeftMethod Get(string name) =>
        Registered.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidOptionException("method", name, $"unknown method{Suggestion(name)}; choose one of {string.Join(", ", Names)}");

    /// <summary>The method a config is configured as.</summary>
    public static PeftMethod Of(AdapterConfig config) =>
        Registered.FirstOrDefault(m => m.ConfigType is not null && m.Describes(config))
        ?? throw new PeftSharpException($"no registered method uses {config.GetType().Name}");

    /// <summary>The method name for a config, or "full" for full fine-tuning (null).</summary>
    public static string NameOf(AdapterConfig? config) => config is null ? FullFineTuningMethod.MethodName : Of(config).Name;

    private static string Suggestion(string name)
    {
        var closest = Registered.Select(m => (m.Name, Distance: EditDistance.Between(name.ToLowerInvariant(), m.Name)))
            .OrderBy(c => c.Distance).First();
        return closest.Distance <= 2 ? $" (did you mean {closest.Name}?)" : "";
    }
}
