using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using static TorchSharp.torch;

namespace PeftSharp.IO.Gguf;

/// <summary>
/// Writes a GGUF (version 3) file atomically: header, metadata in the order added, tensor infos, padding to the
/// alignment (32), then each tensor's data padded to the alignment, laid end to end in the order added — the layout
/// llama.cpp's own writer produces and its reader requires. Tensors are produced one at a time by their callbacks, so an
/// export holds at most one converted tensor in memory.
/// </summary>
internal sealed class GgufWriter
{
    private sealed record PendingTensor(string Name, long[] Shape, GgufTensorType Type, Func<Tensor> Produce);

    private readonly List<KeyValuePair<string, GgufValue>> metadata = [];
    private readonly List<PendingTensor> tensors = [];

    public GgufWriter Add(string key, GgufValue value)
    {
        if (metadata.Any(m => m.Key == key)) throw new ArgumentException($"metadata '{key}' added twice");
        metadata.Add(KeyValuePair.Create(key, value));
        return this;
    }

    /// <summary>
    /// Adds a tensor of PyTorch shape <paramref name="shape"/> stored as <paramref name="type"/> (F32, F16, BF16 or Q8_0);
    /// <paramref name="produce"/> returns it (any dtype, CPU or not) when the data is written and may be called once.
    /// </summary>
    public void AddTensor(string name, long[] shape, GgufTensorType type, Func<Tensor> produce)
    {
        if (type is not (GgufTensorType.F32 or GgufTensorType.F16 or GgufTensorType.BF16 or GgufTensorType.Q8_0))
            throw new ArgumentOutOfRangeException(nameof(type), type, "PeftSharp writes F32, F16, BF16 and Q8_0");
        if (Encoding.UTF8.GetByteCount(name) is 0 or > GgufHeader.MaxNameBytes) throw new ArgumentException($"tensor name '{name}' must have 1 to {GgufHeader.MaxNameBytes} bytes");
        if (shape.Length > GgufHeader.MaxDimensions) throw new ArgumentException($"tensor '{name}' has {shape.Length} dimensions (GGUF allows {GgufHeader.MaxDimensions})");
        if (type == GgufTensorType.Q8_0 && (shape.Length == 0 || shape[^1] % Q8_0Quantizer.BlockElements != 0))
            throw new ArgumentException($"tensor '{name}': Q8_0 needs rows of a multiple of {Q8_0Quantizer.BlockElements} elements, the shape is [{string.Join(", ", shape)}]");
        if (tensors.Any(t => t.Name == name)) throw new ArgumentException($"tensor '{name}' added twice");
        tensors.Add(new PendingTensor(name, shape, type, produce));
    }

    public void Write(string path)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("GGUF data is little-endian; big-endian hosts are not supported");
        AtomicFile.Write(path, stream =>
        {
            using var output = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            output.Write(GgufHeader.Magic);
            output.Write(3u);
            output.Write((ulong)tensors.Count);
            output.Write((ulong)metadata.Count);
            foreach (var (key, value) in metadata)
            {
                WriteString(output, key);
                output.Write((uint)value.Type);
                WriteValue(output, value);
            }
            long offset = 0;
            foreach (var t in tensors)
            {
                WriteString(output, t.Name);
                output.Write((uint)t.Shape.Length);
                foreach (var dimension in t.Shape.Reverse()) output.Write((ulong)dimension);
                output.Write((uint)t.Type);
                output.Write((ulong)offset);
                offset += GgufHeader.AlignUp(ByteSize(t), GgufHeader.DefaultAlignment);
            }
            Pad(output);
            foreach (var t in tensors)
            {
                WriteData(output, t);
                Pad(output);
            }
        });
    }

    private static long ByteSize(PendingTensor t) => GgufTensorTypes.ByteSize(t.Type, t.Shape.Aggregate(1L, (a, b) => checked(a * b)));

    private static void Pad(BinaryWriter output)
    {
        output.Flush();
        long position = output.BaseStream.Position;
        for (long p = position; p < GgufHeader.AlignUp(position, GgufHeader.DefaultAlignment); p++) output.Write((byte)0);
    }

    private static void WriteData(BinaryWriter output, PendingTensor t)
    {
        using var scope = NewDisposeScope();
        var tensor = t.Produce().detach().cpu();
        if (!tensor.shape.SequenceEqual(t.Shape))
            throw new InvalidOperationException($"tensor '{t.Name}' was declared [{string.Join(", ", t.Shape)}] but produced [{string.Join(", ", tensor.shape)}]");
        output.Flush();
        if (t.Type == GgufTensorType.Q8_0)
        {
            // Row by row (each a whole number of blocks) keeps the temporary small.
            var rows = tensor.to(ScalarType.Float32).contiguous().view(-1, t.Shape[^1]);
            var encoded = new byte[t.Shape[^1] / Q8_0Quantizer.BlockElements * Q8_0Quantizer.BlockBytes];
            for (long r = 0; r < rows.shape[0]; r++)
            {
                using var row = rows[r];
                Q8_0Quantizer.Encode(MemoryMarshal.Cast<byte, float>(row.bytes), encoded);
                output.BaseStream.Write(encoded);
            }
            return;
        }
        var stored = t.Type switch { GgufTensorType.F16 => ScalarType.Float16, GgufTensorType.BF16 => ScalarType.BFloat16, _ => ScalarType.Float32 };
        TensorBytes.ForEachChunk(tensor.to(stored).contiguous(), (chunk, _) => output.BaseStream.Write(chunk));
    }

    private static void WriteString(BinaryWriter output, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        output.Write((ulong)bytes.Length);
        output.Write(bytes);
    }

    private static void WriteValue(BinaryWriter output, GgufValue value)
    {
        switch (value.Raw)
        {
            case string s: WriteString(output, s); break;
            case uint v: output.Write(v); break;
            case int v: output.Write(v); break;
            case float v: output.Write(v); break;
            case bool v: output.Write(v ? (byte)1 : (byte)0); break;
            case string[] a: WriteArray(output, value, a, s => WriteString(output, s)); break;
            case float[] a: WriteArray(output, value, a, output.Write); break;
            case int[] a: WriteArray(output, value, a, output.Write); break;
            default: throw new InvalidOperationException($"cannot write a metadata value of {value.TypeName}");
        }
    }

    private static void WriteArray<T>(BinaryWriter output, GgufValue value, T[] items, Action<T> write)
    {
        output.Write((uint)value.ElementType!.Value);
        output.Write((ulong)items.Length);
        foreach (var item in items) write(item);
    }
}
