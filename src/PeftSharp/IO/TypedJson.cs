using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace PeftSharp.IO;

/// <summary>
/// The one way PeftSharp reads JSON into typed objects: System.Text.Json's serializer, with failures turned into one
/// line that names the file and the field and says what was expected. A JSON <c>null</c> counts as absent, so the
/// property keeps its default (HuggingFace and PEFT write <c>"n_inner": null</c>, <c>"layers_pattern": null</c>, …);
/// a property marked <see cref="JsonRequiredAttribute"/> must be present and not null. Converters for the formats'
/// quirks report through <see cref="Expected"/> and <see cref="Missing"/> and read nested objects with
/// <see cref="ReadNested{T}"/>, so that their messages name the field inside the object in the same format.
/// </summary>
public static class TypedJson
{
    // Duplicate keys are refused while parsing; a JsonObject would otherwise throw ArgumentException when first read.
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    /// <summary>Parses <paramref name="text"/> as a JSON object; <paramref name="source"/> names it in errors.</summary>
    public static JsonObject ParseObject(string text, string source)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: DocumentOptions) as JsonObject
                ?? throw new PeftSharpException($"{source}: expected a JSON object");
        }
        catch (JsonException e)
        {
            var at = e.LineNumber is { } line ? $" at line {line + 1}" : "";
            throw new PeftSharpException($"{source}: invalid JSON{at}: {FirstSentence(e.Message)}");
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
    /// returned in <paramref name="unknownKeys"/> (sorted) for the caller to accept, warn about or refuse. A missing
    /// required field reads "missing field 'x' (required for <paramref name="requiredFor"/>)".
    /// </summary>
    public static object Read(JsonObject json, Type type, string source, JsonSerializerOptions options, out IReadOnlyList<string> unknownKeys,
        string? requiredFor = null)
    {
        try
        {
            return Deserialize(json, options.GetTypeInfo(type), requiredFor, out unknownKeys);
        }
        catch (FieldProblem problem)
        {
            throw new PeftSharpException($"{source}: {problem.Describe(json)}");
        }
    }

    /// <summary><see cref="Read"/> for a known type.</summary>
    public static T Read<T>(JsonObject json, string source, JsonSerializerOptions options, out IReadOnlyList<string> unknownKeys, string? requiredFor = null) =>
        (T)Read(json, typeof(T), source, options, out unknownKeys, requiredFor);

    /// <summary>One field as <typeparamref name="T"/>, or the default when it is absent or null: e.g. the key that decides which type to read.</summary>
    public static T? Field<T>(JsonObject json, string name, string source, JsonSerializerOptions options)
    {
        if (json[name] is not { } node) return default;
        try
        {
            return node.Deserialize<T>(options);
        }
        catch (JsonException)
        {
            throw new PeftSharpException($"{source}: {new FieldProblem(name, Describe(typeof(T)), null, name).Describe(json)}");
        }
    }

    /// <summary>
    /// For a converter whose value is a JSON object: reads it into <typeparamref name="T"/> as <see cref="Read"/> does
    /// (null = absent, unknown keys ignored). A problem inside names the inner field, e.g. <c>field 'rope_scaling.factor'</c>.
    /// </summary>
    public static T ReadNested<T>(ref Utf8JsonReader reader, JsonSerializerOptions options) =>
        JsonNode.Parse(ref reader) is JsonObject json
            ? (T)Deserialize(json, options.GetTypeInfo(typeof(T)), null, out _)
            : throw Expected("an object");

    /// <summary>
    /// For converters: the value does not have the form the field takes. The message reads "field 'x': expected
    /// <paramref name="expected"/>, got …", where x is the converter's field, or <paramref name="field"/> inside it.
    /// </summary>
    public static JsonException Expected(string expected, string field = "") => new FieldProblem(field, expected, null, field);

    /// <summary>For converters of objects: <paramref name="field"/> is needed (by <paramref name="requiredFor"/>) but absent.</summary>
    public static JsonException Missing(string field, string? requiredFor = null) => new FieldProblem(field, null, requiredFor, field);

    /// <summary>The object as a JSON object (every init-settable property, nulls included).</summary>
    public static JsonObject Write(object value, JsonSerializerOptions options) =>
        JsonSerializer.SerializeToNode(value, value.GetType(), options)!.AsObject();

    /// <summary>Indented JSON with keys sorted at every level (as PEFT and HuggingFace write their config files).</summary>
    public static string ToSortedText(JsonNode json) =>
        Sorted(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sorted).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };

    private static object Deserialize(JsonObject json, JsonTypeInfo info, string? requiredFor, out IReadOnlyList<string> unknownKeys)
    {
        var known = info.Properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        unknownKeys = json.Select(p => p.Key).Where(k => !known.Contains(k)).Order(StringComparer.Ordinal).ToList();
        var present = new JsonObject(json.Where(p => p.Value is not null && known.Contains(p.Key))
            .Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value!.DeepClone())));
        if (info.Properties.FirstOrDefault(p => p.IsRequired && !present.ContainsKey(p.Name)) is { } missing)
            throw Missing(missing.Name, requiredFor);
        try
        {
            return present.Deserialize(info)!;
        }
        catch (FieldProblem problem)
        {
            // Thrown by a converter; the serializer has set Path to the field that converter was reading.
            throw problem.Within(PathOf(problem));
        }
        catch (JsonException e)
        {
            throw FromSerializer(e, info);
        }
    }

    private static FieldProblem FromSerializer(JsonException e, JsonTypeInfo info)
    {
        // The path is "field", "field.key" or "field[3]"; the top-level field says what was expected.
        var path = PathOf(e);
        var field = path.Split('.', '[')[0];
        var property = info.Properties.FirstOrDefault(p => p.Name == field);
        if (property is null) return new FieldProblem("", FirstSentence(e.Message), null, "");
        var expected = e.InnerException is PeftSharpException inner ? inner.Message : Describe(property.PropertyType);
        return new FieldProblem(path, expected, null, field);
    }

    private static string PathOf(JsonException e) => (e.Path ?? "$").TrimStart('$').TrimStart('.');

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

    private static string Plural(string description) => description switch
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

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.');
    }

    /// <summary>
    /// What is wrong with one field: its value (<paramref name="expected"/> says what it should be) or its absence
    /// (<paramref name="expected"/> is null). Paths are relative to the object being read until the reader of the
    /// enclosing object adds its field; <paramref name="shownField"/> is the field whose value the message shows.
    /// </summary>
    private sealed class FieldProblem(string field, string? expected, string? requiredFor, string shownField)
        : JsonException(expected is null ? $"missing field '{field}'" : $"field '{field}': expected {expected}")
    {
        public FieldProblem Within(string outer) => new(Join(outer, field), expected, requiredFor, Join(outer, shownField));

        public string Describe(JsonObject root) => (field, expected) switch
        {
            (_, null) => $"missing field '{field}'" + (requiredFor is null ? "" : $" (required for {requiredFor})"),
            ("", _) => expected,
            _ => $"field '{field}': expected {expected}, got {Shown(At(root, shownField))}",
        };

        private static string Join(string outer, string inner) => inner.Length == 0 ? outer : inner[0] == '[' ? outer + inner : $"{outer}.{inner}";

        /// <summary>The value at a path such as "rope_scaling.factor" (an index such as "[3]" shows its whole list).</summary>
        private static JsonNode? At(JsonObject root, string path) =>
            path.Split('[')[0].Split('.').Aggregate((JsonNode?)root, (node, name) => (node as JsonObject)?[name]);
    }
}
