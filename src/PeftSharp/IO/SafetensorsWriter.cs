using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using static TorchSharp.torch;

namespace PeftSharp.IO;

/// <summary>
/// Writes .safetensors files as the format specifies, atomically (temporary file + rename): "__metadata__" first when
/// given, then the tensors; the JSON header padded with spaces to a multiple of 8 bytes; raw little-endian data with no
/// gaps, ending at the end of the file.
/// </summary>
/// <remarks>
/// Tensors are sorted the way the reference writer (safetensors' <c>save_file</c>) sorts them: by dtype, widest
/// alignment first (I64, F64, F32, I32, BF16, F16, I16, I8, U8, BOOL), then by name (ordinal). The header lists them in
/// that order and the data follows it, so every tensor starts at a multiple of its element size and the file is
/// byte-identical to the reference writer's for the same tensors and a single metadata entry (the reference writes
/// several metadata entries in hash order; here they are sorted by key).
/// </remarks>
internal static class SafetensorsWriter
{

    /// <summary>
    /// Writes <paramref name="tensors"/> (any device; each copied to CPU and made contiguous one at a time, in its own
    /// dtype) and <paramref name="metadata"/> (PEFT writes {"format": "pt"}) to <paramref name="path"/>.
    /// </summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors data is little-endian; big-endian hosts are not supported");
        var entries = new List<(string Name, SafetensorsDtype Dtype, Tensor Tensor)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (name.Length == 0 || name == SafetensorsHeader.MetadataKey || !IsValidUnicode(name))
                throw new PeftSharpException($"{path}: invalid tensor name '{name}' (must be non-empty valid Unicode, not '{SafetensorsHeader.MetadataKey}')");
            if (!names.Add(name)) throw new PeftSharpException($"{path}: tensor '{name}' given twice");
            var dtype = SafetensorsDtypes.FromScalarType(tensor.dtype)
                ?? throw new PeftSharpException($"{path}: tensor '{name}' has dtype {tensor.dtype}, which safetensors cannot store (supported: {SafetensorsDtypes.Known})");
            entries.Add((name, dtype, tensor));
        }
        if (metadata is not null)
            foreach (var (key, value) in metadata)
                if (!IsValidUnicode(key) || !IsValidUnicode(value))
                    throw new PeftSharpException($"{path}: metadata entry '{key}' is not valid Unicode");

        var ordered = entries
            .OrderByDescending(e => SafetensorsDtypes.AlignmentRank(e.Dtype))
            .ThenBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        var header = Header(ordered, metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> size = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(size, (ulong)header.Length);
            stream.Write(size);
            stream.Write(header);
            foreach (var entry in ordered)
            {
                using var scope = NewDisposeScope();
                var data = entry.Tensor.detach().cpu().contiguous(); // one CPU copy at a time, at most
                TensorBytes.ForEachChunk(data, (chunk, _) => stream.Write(chunk));
            }
        });
    }

    private static bool IsValidUnicode(string text)
    {
        try { StrictUtf8.Encoding.GetByteCount(text); return true; }
        catch (EncoderFallbackException) { return false; }
    }

    /// <summary>The JSON header in the order given, with data_offsets laid end to end, padded with spaces to a multiple of 8 bytes.</summary>
    private static byte[] Header(IReadOnlyList<(string Name, SafetensorsDtype Dtype, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping writes names like "a+b" or "é" as themselves, as the reference writer does (the header is not HTML).
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is not null)
            {
                json.WriteStartObject(SafetensorsHeader.MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal)) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, dtype, tensor) in tensors)
            {
                long bytes = checked(tensor.numel() * SafetensorsDtypes.Size(dtype));
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype.ToString());
                json.WriteStartArray("shape");
                foreach (var d in tensor.shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        long padded = (buffer.Length + 7) / 8 * 8;
        while (buffer.Length < padded) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }
}
