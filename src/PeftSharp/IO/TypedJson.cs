using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace PeftSharp.IO;

/// <summary>
/// The one way PeftSharp reads JSON into typed objects: System.Text.Json's serializer, with failures turned into one
/// line that names the file and the field and says what was expected. A JSON <c>null</c> counts as absent, so the
/// property keeps its default (HuggingFace and PEFT write <c>"n_inner": null</c>, <c>"layers_pattern": null</c>, …).
/// </summary>
public static class TypedJson
{
    /// <summary>Parses <paramref name="text"/> as a JSON object; <paramref name="source"/> names it in errors.</summary>
    public static JsonObject ParseObject(string text, string source)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }) as JsonObject
                ?? throw new PeftSharpException($"{source}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new PeftSharpException($"{source}: invalid JSON at line {e.LineNumber + 1}: {FirstSentence(e.Message)}");
        }
    }

    /// <summary>Reads a file as a JSON object (strict UTF-8).</summary>
    public static JsonObject ReadObject(string path)
    {
        if (!File.Exists(path)) throw new PeftSharpException($"{path}: file not found");
        return ParseObject(StrictUtf8.ReadAllText(path), path);
    }

    /// <summary>
    /// Deserializes <paramref name="json"/> into <paramref name="type"/>. Keys that are not properties of the type are
    /// returned in <paramref name="unknownKeys"/> (sorted) for the caller to accept, warn about or refuse.
    /// </summary>
    public static object Read(JsonObject json, Type type, string source, JsonSerializerOptions options, out IReadOnlyList<string> unknownKeys)
    {
        var info = options.GetTypeInfo(type);
        var known = info.Properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        unknownKeys = json.Select(p => p.Key).Where(k => !known.Contains(k)).Order(StringComparer.Ordinal).ToList();
        var present = new JsonObject(json.Where(p => p.Value is not null && known.Contains(p.Key))
            .Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value!.DeepClone())));
        try
        {
            return present.Deserialize(info) ?? throw new PeftSharpException($"{source}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw FieldError(source, json, info, e);
        }
    }

    /// <summary><see cref="Read"/> for a known type.</summary>
    public static T Read<T>(JsonObject json, string source, JsonSerializerOptions options, out IReadOnlyList<string> unknownKeys) =>
        (T)Read(json, typeof(T), source, options, out unknownKeys);

    /// <summary>The object as a JSON object (every init-settable property, nulls included).</summary>
    public static JsonObject Write(object value, JsonSerializerOptions options) =>
        JsonSerializer.SerializeToNode(value, value.GetType(), options)!.AsObject();

    /// <summary>Indented JSON with keys sorted at every level (as PEFT and HuggingFace write their config files).</summary>
    public static string ToSortedText(JsonNode json) =>
        Sorted(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sorted).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };

    static PeftSharpException FieldError(string source, JsonObject json, JsonTypeInfo info, JsonException e)
    {
        // e.Path is "$.field", "$.field.key" or "$.field[3]"; the top-level field says what was expected.
        var path = (e.Path ?? "$").TrimStart('$').TrimStart('.');
        var field = path.Split('.', '[')[0];
        var property = info.Properties.FirstOrDefault(p => p.Name == field);
        if (property is null) return new PeftSharpException($"{source}: {FirstSentence(e.Message)}");
        var expected = e.InnerException is PeftSharpException inner ? inner.Message : Describe(property.PropertyType);
        return new PeftSharpException($"{source}: field '{path}': expected {expected}, got {Shown(json[field])}");
    }

    /// <summary>What a value of <paramref name="type"/> looks like in JSON, for error messages.</summary>
    public static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(int) || type == typeof(long)) return "an integer";
        if (type == typeof(double) || type == typeof(float)) return "a number";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(string)) return "a string";
        if (type.IsEnum) return "one of " + string.Join(", ", Enum.GetNames(type).Select(n => JsonNamingPolicy.SnakeCaseLower.ConvertName(n)));
        if (type.IsGenericType && type.GetGenericArguments() is [var item] && typeof(System.Collections.IEnumerable).IsAssignableFrom(type))
            return $"a list of {Plural(Describe(item))}";
        if (type.IsGenericType && type.GetGenericArguments() is [_, var value]) return $"an object whose values are {Plural(Describe(value))}";
        return "an object";
    }

    static string Plural(string description) => description switch
    {
        "an integer" => "integers",
        "a number" => "numbers",
        "true or false" => "true/false values",
        "a string" => "strings",
        _ => description,
    };

    /// <summary>A JSON value as it appears in the file, cut to a readable length.</summary>
    public static string Shown(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length > 60 ? text[..60] + "…" : text;
    }

    static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.');
    }
}
