using System.Text.Json;

namespace PeftSharp.Data;

/// <summary>
/// A JSON object read from a data file, with typed field accessors whose errors name
/// file, line and field ("data.jsonl:7: field 'labels': expected an array of integers, got string").
/// </summary>
internal readonly struct JsonRow
{
    internal static readonly JsonDocumentOptions Options = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    private const string LoneSurrogateName = "a field name escapes a lone UTF-16 surrogate (\\ud800-\\udfff)";

    private readonly JsonElement @object;
    public string File { get; }
    public int Line { get; }

    public JsonRow(JsonElement element, string file, int line)
    {
        File = file;
        Line = line;
        if (element.ValueKind != JsonValueKind.Object)
            throw DataFile.Error(file, line, $"expected a JSON object, got {Describe(element)}");
        // Property lookups unescape names and throw on a lone surrogate: reject such names up front.
        foreach (var property in element.EnumerateObject())
            if (Text(() => property.Name) is null)
                throw DataFile.Error(file, line, LoneSurrogateName);
        @object = element;
    }

    /// <summary>Parses one JSON text (a JSONL line) into a row.</summary>
    public static JsonRow Parse(string json, string file, int line, out JsonDocument document)
    {
        try
        {
            document = JsonDocument.Parse(json, Options);
        }
        catch (JsonException e)
        {
            throw DataFile.Error(file, line, $"malformed JSON: {FirstSentence(e.Message)}");
        }
        catch (InvalidOperationException)
        {
            // Raised while comparing property names for duplicates when one escapes a lone surrogate.
            throw DataFile.Error(file, line, LoneSurrogateName);
        }
        try
        {
            return new JsonRow(document.RootElement, file, line);
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    public bool Has(string field) => @object.TryGetProperty(field, out _);

    public bool IsString(string field) => @object.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String;

    public bool IsNull(string field) => @object.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Null;

    public IEnumerable<string> FieldNames => @object.EnumerateObject().Select(p => p.Name);

    public PeftSharpException Missing(string field, string expected) =>
        DataFile.Error(File, Line, $"missing field '{field}' ({expected})");

    public PeftSharpException Wrong(string field, string expected, string got) => DataFile.FieldError(DataFile.At(File, Line), field, expected, got);

    public string String(string field)
    {
        if (!@object.TryGetProperty(field, out var value)) throw Missing(field, "a string");
        if (value.ValueKind != JsonValueKind.String) throw Wrong(field, "a string", Describe(value));
        return Text(value.GetString) ?? throw Wrong(field, "a string of valid Unicode", "an escaped lone surrogate (\\ud800-\\udfff)");
    }

    public double Number(string field)
    {
        if (!@object.TryGetProperty(field, out var value)) throw Missing(field, "a number");
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
            throw Wrong(field, "a finite number", Describe(value));
        return number;
    }

    /// <summary>An optional array of strings (null when the field is absent or null).</summary>
    public IReadOnlyList<string>? OptionalStringArray(string field)
    {
        if (!@object.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Array) throw Wrong(field, "an array of strings", Describe(value));
        var result = new List<string>();
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) throw Wrong($"{field}[{i}]", "a string", Describe(item));
            result.Add(Text(item.GetString) ?? throw Wrong($"{field}[{i}]", "a string of valid Unicode", "an escaped lone surrogate (\\ud800-\\udfff)"));
            i++;
        }
        return result.Count > 0 ? result : throw Wrong(field, "a non-empty array of strings", "[]");
    }

    /// <summary>An array (described by <paramref name="expectedArray"/>) of 32-bit integers, each checked by <paramref name="valid"/>.</summary>
    public int[] IntArray(string field, string expectedArray, Func<int, bool> valid, string expected)
    {
        if (!@object.TryGetProperty(field, out var value)) throw Missing(field, expectedArray);
        if (value.ValueKind != JsonValueKind.Array) throw Wrong(field, expectedArray, Describe(value));
        var result = new int[value.GetArrayLength()];
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var number) || !valid(number))
                throw Wrong($"{field}[{i}]", expected, Describe(item));
            result[i++] = number;
        }
        return result;
    }

    /// <summary>"string \"abc\"", "number 1.5", "null", "array", "object": what a value was, for messages.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => Text(value.GetString) is { } text ? "string " + DataFile.Quote(text) : "an invalid string",
        JsonValueKind.Number => "number " + Truncate(value.GetRawText()),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => $"an array of {value.GetArrayLength()} items",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString(),
    };

    /// <summary>A JSON string's value, or null when it escapes a lone UTF-16 surrogate (which .NET cannot represent safely).</summary>
    private static string? Text(Func<string?> get)
    {
        try
        {
            return get();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static string FirstSentence(string message)
    {
        // System.Text.Json messages end with "Path: $ | LineNumber: 0 | BytePositionInLine: 12."; keep the column.
        var column = System.Text.RegularExpressions.Regex.Match(message, @"BytePositionInLine: (\d+)");
        var head = message.Split(" Path:")[0].Split(" LineNumber:")[0].TrimEnd();
        return column.Success ? $"{head} (at byte {int.Parse(column.Groups[1].Value) + 1})" : head;
    }
}
