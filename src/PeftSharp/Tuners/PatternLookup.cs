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

    public static IReadOnlyDictionary<string, int> ReadInts(ConfigReader r, string field) =>
        Read(r, field, v => v.GetValue<int>(), "an integer");

    public static IReadOnlyDictionary<string, double> ReadDoubles(ConfigReader r, string field) =>
        Read(r, field, v => v.GetValue<double>(), "a number");

    static IReadOnlyDictionary<string, T> Read<T>(ConfigReader r, string field, Func<System.Text.Json.Nodes.JsonNode, T> get, string expected)
    {
        var result = new Dictionary<string, T>();
        var obj = r.GetObject(field);
        if (obj is null) return result;
        foreach (var (key, value) in obj)
        {
            try { result[key] = get(value!); }
            catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException)
            {
                throw new PeftSharpException($"{r.Source}: field '{field}.{key}': expected {expected}, got {value?.ToJsonString() ?? "null"}");
            }
        }
        return result;
    }
}
