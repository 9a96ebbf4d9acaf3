using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PeftSharp.Models;

/// <summary>
/// Typed reads from a parsed config.json. Every failure names the file and the field; a JSON
/// <c>null</c> counts as absent (HF writes e.g. <c>"n_inner": null</c> to mean "use the default").
/// </summary>
internal sealed class ConfigJson(JsonObject root, string source)
{
    public JsonObject Root { get; } = root;
    public string Source { get; } = source;

    public PeftSharpException Error(string message) => new($"{Source}: {message}");

    public bool Has(string name) => Root[name] is not null;

    private JsonElement? Element(string name) =>
        Root.TryGetPropertyValue(name, out var node) && node is not null ? JsonSerializer.Deserialize<JsonElement>(node.ToJsonString()) : null;

    public int RequiredInt(string name, string modelType) =>
        OptionalInt(name) ?? throw Error($"missing field '{name}' (required for model_type '{modelType}')");

    public int Int(string name, int fallback) => OptionalInt(name) ?? fallback;

    public int? OptionalInt(string name)
    {
        if (Element(name) is not { } e) return null;
        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var v) && v is >= int.MinValue and <= int.MaxValue) return (int)v;
        if (e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var d) && d == Math.Floor(d) && Math.Abs(d) <= int.MaxValue) return (int)d;
        throw Error($"field '{name}' must be an integer, got {Show(e)}");
    }

    public double Double(string name, double fallback) => OptionalDouble(name) ?? fallback;

    public double? OptionalDouble(string name)
    {
        if (Element(name) is not { } e) return null;
        if (e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var d) && double.IsFinite(d)) return d;
        throw Error($"field '{name}' must be a number, got {Show(e)}");
    }

    public bool Bool(string name, bool fallback)
    {
        if (Element(name) is not { } e) return fallback;
        return e.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error($"field '{name}' must be true or false, got {Show(e)}"),
        };
    }

    public string? OptionalString(string name)
    {
        if (Element(name) is not { } e) return null;
        return e.ValueKind == JsonValueKind.String ? e.GetString() : throw Error($"field '{name}' must be a string, got {Show(e)}");
    }

    public string String(string name, string fallback) => OptionalString(name) ?? fallback;

    /// <summary>An id field that may be one integer or a list of integers (LLaMA-3's eos_token_id).</summary>
    public IReadOnlyList<int> IntOrIntList(string name)
    {
        if (Element(name) is not { } e) return [];
        if (e.ValueKind == JsonValueKind.Array)
        {
            var list = new List<int>();
            foreach (var item in e.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var v))
                    throw Error($"field '{name}' must be an integer or a list of integers, got {Show(e)}");
                list.Add(v);
            }
            return list;
        }
        return [OptionalInt(name)!.Value];
    }

    public JsonObject? OptionalObject(string name)
    {
        if (!Root.TryGetPropertyValue(name, out var node) || node is null) return null;
        return node as JsonObject ?? throw Error($"field '{name}' must be an object, got {Show(Element(name)!.Value)}");
    }

    /// <summary>HF's id2label: an object whose keys are label indices ("0", "1", ...).</summary>
    public IReadOnlyDictionary<int, string>? OptionalId2Label(string name)
    {
        if (OptionalObject(name) is not { } obj) return null;
        var map = new SortedDictionary<int, string>();
        foreach (var (key, value) in obj)
        {
            if (!int.TryParse(key, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) || index < 0)
                throw Error($"field '{name}' has key '{key}', expected a label index (0, 1, ...)");
            map[index] = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "";
        }
        for (var i = 0; i < map.Count; i++)
            if (!map.ContainsKey(i)) throw Error($"field '{name}' must number its labels 0..{map.Count - 1}, label {i} is missing");
        return map;
    }

    private static string Show(JsonElement e)
    {
        var text = e.GetRawText();
        return text.Length > 60 ? text[..60] + "…" : text;
    }
}
