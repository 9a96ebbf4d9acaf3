using System.Text.Json;
using System.Text.Json.Nodes;

namespace PeftSharp.Tuners;

/// <summary>
/// Reads one adapter_config.json object: typed getters whose errors name the file and field,
/// and a record of which keys were read, so that unknown keys can be reported as warnings.
/// </summary>
internal sealed class ConfigReader
{
    readonly JsonObject json;
    readonly HashSet<string> consumed = new();
    public string Source { get; }

    public ConfigReader(JsonObject json, string source) { this.json = json; Source = source; }

    public bool Has(string key) => json.TryGetPropertyValue(key, out var v) && v is not null;

    JsonNode? Take(string key)
    {
        consumed.Add(key);
        return json.TryGetPropertyValue(key, out var v) ? v : null;
    }

    PeftSharpException Error(string key, string expected, JsonNode? got) =>
        new($"{Source}: field '{key}': expected {expected}, got {(got is null ? "null" : got.ToJsonString())}");

    public T Get<T>(string key, T fallback)
    {
        var node = Take(key);
        if (node is null) return fallback;
        try { return node.GetValue<T>(); }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            if (typeof(T) == typeof(double) && node is JsonValue v && v.TryGetValue<long>(out var l)) return (T)(object)(double)l;
            throw Error(key, Describe(typeof(T)), node);
        }
    }

    public T Require<T>(string key)
    {
        if (!Has(key)) throw new PeftSharpException($"{Source}: required field '{key}' is missing");
        return Get<T>(key, default!);
    }

    public IReadOnlyList<string>? GetStringList(string key)
    {
        var node = Take(key);
        if (node is null) return null;
        if (node is JsonValue single && single.TryGetValue<string>(out var s)) return new[] { s };
        if (node is not JsonArray array) throw Error(key, "a list of strings", node);
        return array.Select(item => item is JsonValue iv && iv.TryGetValue<string>(out var str) ? str : throw Error(key, "a list of strings", node)).ToList();
    }

    public TargetModules? GetTargetModules(string key)
    {
        var node = Take(key);
        return node switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var s) => TargetModules.FromPattern(s),
            JsonArray => TargetModules.FromNames(GetStringList(key)!.ToArray()),
            _ => throw Error(key, "a list of module names or a regular expression string", node),
        };
    }

    public JsonObject? GetObject(string key)
    {
        var node = Take(key);
        return node switch { null => null, JsonObject o => o, _ => throw Error(key, "an object", node) };
    }

    /// <summary>Keys present in the file that no reader asked for (minus keys PEFT writes that do not change the function).</summary>
    public IEnumerable<string> UnknownKeys(IEnumerable<string> ignorable) =>
        json.Select(p => p.Key).Where(k => !consumed.Contains(k) && !ignorable.Contains(k)).OrderBy(k => k, StringComparer.Ordinal);

    static string Describe(Type t) =>
        t == typeof(int) || t == typeof(long) ? "an integer" : t == typeof(double) ? "a number" :
        t == typeof(bool) ? "true or false" : t == typeof(string) ? "a string" : t.Name;
}

internal static class ConfigWriter
{
    /// <summary>Indented JSON with keys sorted at every level, as PEFT writes adapter_config.json.</summary>
    public static string ToSortedJson(JsonObject json) =>
        Sort(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    static JsonNode? Sort(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Sort(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sort).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };

    public static JsonNode? ToJson(TargetModules? targets) => targets switch
    {
        null => null,
        { Names: not null } => new JsonArray(targets.Names.Select(n => (JsonNode?)n).ToArray()),
        _ => JsonValue.Create(targets.ToString()),
    };

    public static JsonNode? ToJson(IReadOnlyList<string>? list) =>
        list is null ? null : new JsonArray(list.Select(n => (JsonNode?)n).ToArray());
}
