using System.Text;
using System.Text.Json;

namespace PeftSharp.IO;

/// <summary>
/// Parses and validates a safetensors header (https://github.com/huggingface/safetensors): a JSON object of
/// tensor name → {dtype, shape, data_offsets} plus an optional "__metadata__" object of strings. Every rule of the
/// format is checked; a violation names the file and the tensor.
/// </summary>
/// <remarks>
/// Policy where the format leaves room (each is an error unless said otherwise):
/// duplicate keys at any level; fields other than dtype, shape, data_offsets in an entry (a future extension we do not
/// understand could change what the bytes mean); strings escaping a lone UTF-16 surrogate.
/// Accepted, unlike the reference reader: gaps between tensors and bytes after the last tensor — they waste space but
/// cannot make two tensors share bytes or read outside the file. Tensors may be listed in any order.
/// </remarks>
internal static class SafetensorsHeader
{
    public const string MetadataKey = "__metadata__";


    public static (IReadOnlyDictionary<string, SafetensorsTensorInfo> Tensors, IReadOnlyDictionary<string, string> Metadata) Parse(
        ReadOnlySpan<byte> headerBytes, long dataLength, string file)
    {
        JsonDocument document;
        try
        {
            var text = StrictUtf8.Encoding.GetString(headerBytes);
            document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException or ArgumentException)
        {
            throw new PeftSharpException($"{file}: the safetensors header is not valid UTF-8 JSON: {e.Message}");
        }
        using (document)
        {
            try
            {
                return Read(document.RootElement, dataLength, file);
            }
            catch (InvalidOperationException e) // JsonElement.GetString / JsonProperty.Name on "\ud800"
            {
                throw new PeftSharpException($"{file}: the safetensors header has a string that is not valid Unicode (a lone surrogate escape?): {e.Message}");
            }
        }
    }

    private static (IReadOnlyDictionary<string, SafetensorsTensorInfo>, IReadOnlyDictionary<string, string>) Read(JsonElement root, long dataLength, string file)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new PeftSharpException($"{file}: the safetensors header must be a JSON object, got {root.ValueKind}");
        var tensors = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        bool sawMetadata = false;
        foreach (var property in root.EnumerateObject())
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

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string file)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new PeftSharpException($"{file}: '{MetadataKey}' must be an object of strings, got {value.ValueKind}");
        foreach (var entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new PeftSharpException($"{file}: '{MetadataKey}.{entry.Name}' must be a string, got {entry.Value.ValueKind}");
            if (!metadata.TryAdd(entry.Name, entry.Value.GetString()!))
                throw new PeftSharpException($"{file}: '{MetadataKey}.{entry.Name}' appears twice");
        }
    }

    private static SafetensorsTensorInfo ReadEntry(string name, JsonElement entry, long dataLength, string file)
    {
        PeftSharpException Bad(string what) => new($"{file}: tensor '{name}': {what}");
        if (entry.ValueKind != JsonValueKind.Object) throw Bad($"expected an object with dtype, shape, data_offsets, got {entry.ValueKind}");
        JsonElement? dtypeValue = null, shapeValue = null, offsetsValue = null;
        void Take(ref JsonElement? slot, JsonProperty property)
        {
            if (slot is not null) throw Bad($"field '{property.Name}' appears twice");
            slot = property.Value;
        }
        foreach (var property in entry.EnumerateObject())
        {
            switch (property.Name)
            {
                case "dtype": Take(ref dtypeValue, property); break;
                case "shape": Take(ref shapeValue, property); break;
                case "data_offsets": Take(ref offsetsValue, property); break;
                default: throw Bad($"unexpected field '{property.Name}' (expected only dtype, shape, data_offsets)");
            }
        }

        if (dtypeValue is not { ValueKind: JsonValueKind.String } dtypeText) throw Bad("missing or non-string 'dtype'");
        if (!SafetensorsDtypes.TryParse(dtypeText.GetString()!, out var dtype))
            throw Bad($"unknown dtype {dtypeText.GetRawText()} (known: {SafetensorsDtypes.Known})");

        if (shapeValue is not { ValueKind: JsonValueKind.Array } shapeArray) throw Bad("missing or non-list 'shape'");
        var shape = new long[shapeArray.GetArrayLength()];
        int i = 0;
        foreach (var dim in shapeArray.EnumerateArray())
            shape[i++] = NonNegativeInteger(dim) ?? throw Bad($"shape entries must be non-negative integers, got {dim.GetRawText()}");

        if (offsetsValue is not { ValueKind: JsonValueKind.Array } offsets || offsets.GetArrayLength() != 2)
            throw Bad("'data_offsets' must be a list [begin, end]");
        long begin = NonNegativeInteger(offsets[0]) ?? throw Bad($"'data_offsets' must be non-negative integers, got {offsets.GetRawText()}");
        long end = NonNegativeInteger(offsets[1]) ?? throw Bad($"'data_offsets' must be non-negative integers, got {offsets.GetRawText()}");
        if (begin > end) throw Bad($"data_offsets [{begin}, {end}] begin after end");
        if (end > dataLength) throw Bad($"data_offsets [{begin}, {end}] lie outside the data area of {dataLength} bytes (truncated file?)");

        // The product of the non-zero dimensions must fit too, even when a 0 makes the tensor empty: torch computes
        // strides from them. (The reference reader checks only the full product.)
        long expected;
        try
        {
            long nonZero = checked(shape.Where(d => d != 0).Aggregate((long)SafetensorsDtypes.Size(dtype), (a, b) => checked(a * b)));
            expected = shape.Contains(0) ? 0 : nonZero;
        }
        catch (OverflowException) { throw Bad($"shape {ShapeText.Of(shape)} is too large (its byte size overflows 64 bits)"); }
        if (end - begin != expected)
            throw Bad($"holds {end - begin} bytes but shape {ShapeText.Of(shape)} of {dtype} needs {expected}");
        return new SafetensorsTensorInfo(name, dtype, shape, begin, end);
    }

    private static long? NonNegativeInteger(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var v) && v >= 0 ? v : null;

    /// <summary>Tensors may not share bytes: sorted by begin, each must start at or after the previous one's end.</summary>
    private static void CheckOverlaps(IEnumerable<SafetensorsTensorInfo> tensors, string file)
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
