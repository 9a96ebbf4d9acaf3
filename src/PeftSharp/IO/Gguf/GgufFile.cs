using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace PeftSharp.IO.Gguf;

/// <summary>
/// A memory-mapped GGUF file (the model format of llama.cpp). Opening validates everything before the tensor data
/// (<see cref="GgufHeader"/>); <see cref="ReadTensor"/> materialises one tensor at a time in PyTorch's shape, dequantising
/// Q8_0, Q4_0, Q4_K, Q5_K and Q6_K blocks to float32 first, so a model is never held twice.
/// </summary>
internal sealed class GgufFile : IDisposable
{
    private readonly Dictionary<string, GgufTensorInfo> tensors;
    private readonly MappedFile mapped;
    private readonly long dataStart;
    private bool disposed;

    private GgufFile(string path, GgufHeader header, MappedFile mapped)
    {
        FilePath = path;
        Metadata = header.Metadata;
        Tensors = header.Tensors;
        tensors = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        dataStart = header.DataStart;
        this.mapped = mapped;
    }

    public string FilePath { get; }
    public GgufMetadata Metadata { get; }
    /// <summary>Tensor entries in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }
    /// <summary>Where the data section starts; a tensor's bytes are at <c>DataStart + Offset</c>.</summary>
    public long DataStart => dataStart;
    /// <summary>Sum of the tensors' stored byte lengths.</summary>
    public long TotalBytes => Tensors.Sum(t => t.ByteLength);

    /// <summary>Opens and validates <paramref name="path"/>; any violation of the format is a <see cref="PeftSharpException"/> naming the file.</summary>
    public static GgufFile Open(string path)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("GGUF data is little-endian; big-endian hosts are not supported");
        return MappedFile.Open(path, (stream, length) => GgufHeader.Read(stream, length, path), (header, mapped) => new GgufFile(path, header, mapped));
    }

    public bool Contains(string name) => tensors.ContainsKey(name);

    public GgufTensorInfo GetInfo(string name) =>
        tensors.TryGetValue(name, out var info) ? info : throw new PeftSharpException($"{FilePath}: no tensor named '{name}'");

    /// <summary>
    /// Reads one tensor into fresh CPU memory in PyTorch's shape, converted to <paramref name="dtype"/>: F32/F16/BF16 are
    /// copied as stored and converted, quantised types are dequantised to float32 and then converted.
    /// </summary>
    public Tensor ReadTensor(string name, ScalarType dtype)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var info = GetInfo(name);
        using var scope = NewDisposeScope();
        var stored = info.Type switch
        {
            GgufTensorType.F32 => ScalarType.Float32,
            GgufTensorType.F16 => ScalarType.Float16,
            GgufTensorType.BF16 => ScalarType.BFloat16,
            _ => ScalarType.Float32, // dequantised
        };
        var result = empty(info.Shape, stored);
        if (info.ByteLength > 0) CopyInto(result, info);
        if (result.dtype != dtype) result = result.to(dtype);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Fills <paramref name="target"/> from the mapped bytes of <paramref name="info"/>, in chunks below 2 GB of the target
    /// (whole blocks: a chunk of 2^28 floats holds whole blocks of 32 or 256).
    /// </summary>
    private unsafe void CopyInto(Tensor target, GgufTensorInfo info)
    {
        var (blockElements, blockBytes) = GgufTensorTypes.Block(info.Type)!.Value;
        bool raw = info.Type is GgufTensorType.F32 or GgufTensorType.F16 or GgufTensorType.BF16;
        mapped.Read(dataStart + info.Offset, address => TensorBytes.ForEachChunk(target, (span, offset) =>
        {
            byte* start = (byte*)address;
            if (raw)
            {
                new ReadOnlySpan<byte>(start + offset, span.Length).CopyTo(span);
                return;
            }
            var floats = MemoryMarshal.Cast<byte, float>(span);
            long firstBlock = offset / sizeof(float) / blockElements;
            int blocks = floats.Length / blockElements;
            GgufDequantizer.Decode(info.Type, new ReadOnlySpan<byte>(start + firstBlock * blockBytes, checked(blocks * blockBytes)), floats);
        }));
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        mapped.Dispose();
    }
}
