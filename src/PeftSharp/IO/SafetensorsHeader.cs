using System.Text;
using System.Text.Json;

namespace PeftSharp.IO;

/// <summary>
/// Parses and validates a safetensors header (https://github.com/huggingface/safetensors): a JSON object of
/// tensor name → {dtype, shape, data_offsets} plus an optional "__metadata__" object of strings. Every rule of the
/// format is checked; a violation names the file and the tensor.
/// </summary>
internal static class SafetensorsHeader
{
    public const string MetadataKey = "__metadata__";

    public static (IReadOnlyDictionary<string, SafetensorsTensorInfo> Tensors, IReadOnlyDictionary<string, string> Metadata) Parse(
        ReadOnlySpan<byte> headerBytes, long dataLength, string file)
    {
        JsonDocument document;
        try
        {
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(headerBytes);
            document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException or ArgumentException)
        {
            throw new PeftSharpException($"{file}: the safetensors header is not valid UTF-8 JSON: {e.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new PeftSharpException($"{file}: the safetensors header must be a JSON object, got {document.RootElement.ValueKind}");
            var tensors = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            bool sawMetadata = false;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    if (sawMetadata) throw new PeftSharpException($"{file}: '{MetadataKey}' appears twice in the header");
                    sawMetadata = true;
                    ReadMetadata(property.Value, metadata, file);
                    continue;
                }
                if (tensors.ContainsKey(property.Name)) throw new PeftSharpException($"{file}: tensor '{property.Name}' appears twice in the header");
                tensors[property.Name] = ReadEntry(property.Name, property.Value, dataLength, file);
            }
            CheckOverlaps(tensors.Values, file);
            return (tensors, metadata);
        }
    }

    static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string file)
    {
        if (value.ValueKind != JsonValueKind.Object) throw new PeftSharpException($"{file}: '{MetadataKey}' must be an object of strings");
        foreach (var entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new PeftSharpException($"{file}: '{MetadataKey}.{entry.Name}' must be a string, got {entry.Value.ValueKind}");
            metadata[entry.Name] = entry.Value.GetString()!;
        }
    }

    static SafetensorsTensorInfo ReadEntry(string name, JsonElement entry, long dataLength, string file)
    {
        PeftSharpException Bad(string what) => new($"{file}: tensor '{name}': {what}");
        if (entry.ValueKind != JsonValueKind.Object) throw Bad($"expected an object with dtype, shape, data_offsets, got {entry.ValueKind}");
        if (!entry.TryGetProperty("dtype", out var dtypeValue) || dtypeValue.ValueKind != JsonValueKind.String)
            throw Bad("missing or non-string 'dtype'");
        if (!SafetensorsDtypes.TryParse(dtypeValue.GetString()!, out var dtype))
            throw Bad($"unknown dtype \"{dtypeValue.GetString()}\" (known: {SafetensorsDtypes.Known})");
        if (!entry.TryGetProperty("shape", out var shapeValue) || shapeValue.ValueKind != JsonValueKind.Array)
            throw Bad("missing or non-list 'shape'");
        var shape = new long[shapeValue.GetArrayLength()];
        int i = 0;
        foreach (var dim in shapeValue.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out var d) || d < 0)
                throw Bad($"shape entries must be non-negative integers, got {dim.GetRawText()}");
            shape[i++] = d;
        }
        if (!entry.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw Bad("'data_offsets' must be a list [begin, end]");
        var ends = offsets.EnumerateArray().Select(o => o.ValueKind == JsonValueKind.Number && o.TryGetInt64(out var v) && v >= 0 ? v : -1).ToArray();
        if (ends[0] < 0 || ends[1] < 0) throw Bad($"'data_offsets' must be non-negative integers, got {offsets.GetRawText()}");
        var (begin, end) = (ends[0], ends[1]);
        if (begin > end) throw Bad($"data_offsets [{begin}, {end}] begin after end");
        if (end > dataLength) throw Bad($"data_offsets [{begin}, {end}] lie outside the data area of {dataLength} bytes (truncated file?)");
        long expected;
        try { expected = checked(shape.Aggregate(1L, (a, b) => checked(a * b)) * SafetensorsDtypes.Size(dtype)); }
        catch (OverflowException) { throw Bad($"shape [{string.Join(", ", shape)}] is too large"); }
        if (end - begin != expected)
            throw Bad($"holds {end - begin} bytes but shape [{string.Join(", ", shape)}] of {dtype} needs {expected}");
        foreach (var property in entry.EnumerateObject())
            if (property.Name is not ("dtype" or "shape" or "data_offsets")) throw Bad($"unexpected field '{property.Name}'");
        return new SafetensorsTensorInfo(name, dtype, shape, begin, end);
    }

    /// <summary>Tensors may not share bytes. (Gaps are tolerated: they waste space but are unambiguous.)</summary>
    static void CheckOverlaps(IEnumerable<SafetensorsTensorInfo> tensors, string file)
    {
        SafetensorsTensorInfo? previous = null;
        foreach (var t in tensors.Where(t => t.ByteLength > 0).OrderBy(t => t.Begin).ThenBy(t => t.Name, StringComparer.Ordinal))
        {
            if (previous is not null && t.Begin < previous.End)
                throw new PeftSharpException($"{file}: tensor '{t.Name}' (bytes {t.Begin}–{t.End}) overlaps tensor '{previous.Name}' (bytes {previous.Begin}–{previous.End})");
            previous = t;
        }
    }
}
