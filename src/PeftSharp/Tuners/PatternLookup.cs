using System.Text.RegularExpressions;

namespace PeftSharp.Tuners;

/// <summary>PEFT's per-module overrides (<c>rank_pattern</c>, <c>alpha_pattern</c>): a key matches a module path ending with it.</summary>
internal static class PatternLookup
{
    public static T? Find<T>(IReadOnlyDictionary<string, T> patterns, string modulePath) where T : struct
    {
        foreach (var (key, value) in patterns)
            if (Regex.IsMatch(modulePath, $"^(.*\\.)?(?:{key})$")) return value;
        return null;
    }
}
