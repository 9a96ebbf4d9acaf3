using System.Text.RegularExpressions;

namespace PeftSharp.Tuners;

/// <summary>
/// Which modules an adapter attaches to, with PEFT's semantics: a list of names matches a module
/// whose path equals a name or ends with "." + name; a string is a regular expression that must
/// match the whole path; "all-linear" selects every linear-like layer except the output head.
/// </summary>
public sealed record TargetModules
{
    public const string AllLinearKeyword = "all-linear";

    public IReadOnlyList<string>? Names { get; private init; }
    public string? Pattern { get; private init; }
    public bool IsAllLinear { get; private init; }

    public static TargetModules FromNames(params string[] names)
    {
        if (names.Length == 0) throw new PeftSharpException("target_modules: the list of module names is empty");
        return new TargetModules { Names = names };
    }

    public static TargetModules FromPattern(string regex)
    {
        if (regex == AllLinearKeyword) return AllLinear;
        try { _ = new Regex(regex); }
        catch (ArgumentException e) { throw new PeftSharpException($"target_modules: '{regex}' is not a valid regular expression: {e.Message}"); }
        return new TargetModules { Pattern = regex };
    }

    public static TargetModules AllLinear { get; } = new() { IsAllLinear = true };

    /// <summary>Parses a command-line value: "all-linear", "regex:PATTERN", or a comma-separated list.</summary>
    public static TargetModules Parse(string value)
    {
        if (value == AllLinearKeyword) return AllLinear;
        if (value.StartsWith("regex:", StringComparison.Ordinal)) return FromPattern(value["regex:".Length..]);
        return FromNames(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>True when <paramref name="modulePath"/> is selected (for all-linear: every path; the caller filters layer types and the head).</summary>
    public bool Matches(string modulePath)
    {
        if (IsAllLinear) return true;
        if (Pattern is not null) return Regex.IsMatch(modulePath, $"^(?:{Pattern})$");
        return Names!.Any(n => modulePath == n || modulePath.EndsWith("." + n, StringComparison.Ordinal));
    }

    public override string ToString() => IsAllLinear ? AllLinearKeyword : Pattern ?? string.Join(",", Names!);
}
