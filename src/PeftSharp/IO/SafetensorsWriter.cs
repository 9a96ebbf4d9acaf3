using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace PeftSharp.IO;

/// <summary>
/// Writes .safetensors files as the format specifies: tensors sorted by name, the JSON header padded with spaces to a
/// multiple of 8 bytes, optional "__metadata__", raw little-endian data; atomically (temporary file + rename).
/// </summary>
public static class SafetensorsWriter
{
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var entries = new SortedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (name == SafetensorsHeader.MetadataKey || name.Length == 0) throw new PeftSharpException($"{path}: invalid tensor name '{name}'");
            if (!entries.TryAdd(name, tensor)) throw new PeftSharpException($"{path}: tensor '{name}' given twice");
            if (SafetensorsDtypes.FromScalarType(tensor.dtype) is null)
                throw new PeftSharpException($"{path}: tensor '{name}' has dtype {tensor.dtype}, which safetensors cannot store (supported: {SafetensorsDtypes.Known})");
        }
        using var scope = NewDisposeScope();
        var prepared = entries.ToDictionary(e => e.Key, e => e.Value.detach().cpu().contiguous());
        var header = Header(prepared, metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> size = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(size, (ulong)header.Length);
            stream.Write(size);
            stream.Write(header);
            foreach (var tensor in prepared.Values)
                TensorBytes.ForEachChunk(tensor, (chunk, _) => stream.Write(chunk));
        });
    }

    static byte[] Header(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(SafetensorsHeader.MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal)) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                long bytes = tensor.numel() * tensor.ElementSize;
                json.WriteStartObject(name);
                json.WriteString("dtype", SafetensorsDtypes.FromScalarType(tensor.dtype)!.Value.ToString());
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
        int padded = (int)((buffer.Length + 7) / 8 * 8);
        var header = new byte[padded];
        buffer.ToArray().CopyTo(header, 0);
        Array.Fill(header, (byte)' ', (int)buffer.Length, padded - (int)buffer.Length);
        return header;
    }
}
