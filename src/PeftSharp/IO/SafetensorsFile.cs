using System.Buffers.Binary;
using static TorchSharp.torch;

namespace PeftSharp.IO;

/// <summary>
/// A memory-mapped .safetensors file. Opening validates the whole header; <see cref="ReadTensor"/> materialises one
/// tensor at a time (a fresh tensor owning its memory), so loading a checkpoint never holds two copies of it.
/// </summary>
/// <remarks>
/// Layout (https://github.com/huggingface/safetensors): an 8-byte little-endian header size N, N bytes of UTF-8 JSON,
/// then the data area that the tensors' data_offsets point into. The validation rules are listed on
/// <c>SafetensorsHeader</c>. The file must not be truncated in place while open (replacing it by rename, as
/// <see cref="AtomicFile"/> does, is safe: the mapping keeps the old contents).
/// </remarks>
internal sealed class SafetensorsFile : IDisposable
{
    /// <summary>Headers larger than this are refused before anything is allocated (the reference library's limit).</summary>
    internal const long MaxHeaderBytes = 100_000_000;

    private readonly IReadOnlyDictionary<string, SafetensorsTensorInfo> tensors;
    private readonly MappedFile mapped;
    private readonly long dataStart;
    private bool disposed;

    private SafetensorsFile(string path, IReadOnlyDictionary<string, SafetensorsTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata,
        long dataStart, MappedFile mapped)
    {
        FilePath = path;
        this.tensors = tensors;
        Metadata = metadata;
        this.dataStart = dataStart;
        this.mapped = mapped;
        Keys = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
    }

    /// <summary>The path the file was opened with.</summary>
    public string FilePath { get; }
    /// <summary>The header's "__metadata__" (empty when absent), e.g. {"format": "pt"}.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }
    /// <summary>Tensor names, sorted ordinally.</summary>
    public IReadOnlyList<string> Keys { get; }
    /// <summary>Sum of the tensors' byte lengths.</summary>
    public long TotalBytes => tensors.Values.Sum(t => t.ByteLength);

    /// <summary>Opens and validates <paramref name="path"/>; any violation of the format is a <see cref="PeftSharpException"/> naming the file (and tensor).</summary>
    public static SafetensorsFile Open(string path)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors data is little-endian; big-endian hosts are not supported");
        return MappedFile.Open(path, (stream, length) => ReadHeader(stream, length, path),
            (header, mapped) => new SafetensorsFile(path, header.Tensors, header.Metadata, header.DataStart, mapped));
    }

    /// <summary>Reads and validates the size field and the header; allocates only once the size is known to fit the file.</summary>
    private static (IReadOnlyDictionary<string, SafetensorsTensorInfo> Tensors, IReadOnlyDictionary<string, string> Metadata, long DataStart) ReadHeader(
        FileStream stream, long length, string path)
    {
        if (length < 8) throw new PeftSharpException($"{path}: {length} bytes is too short for a safetensors file (it starts with an 8-byte header size)");
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        ulong headerSize = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerSize > (ulong)(length - 8))
            throw new PeftSharpException($"{path}: the header claims {headerSize} bytes but the file has only {length - 8} after the size field (truncated or not a safetensors file)");
        if (headerSize > MaxHeaderBytes)
            throw new PeftSharpException($"{path}: the header claims {headerSize} bytes, more than the {MaxHeaderBytes} a safetensors header may have");
        var header = new byte[headerSize];
        stream.ReadExactly(header);
        long dataStart = 8 + (long)headerSize;
        var (tensors, metadata) = SafetensorsHeader.Parse(header, length - dataStart, path);
        return (tensors, metadata, dataStart);
    }

    /// <summary>Whether the file holds a tensor named <paramref name="name"/>.</summary>
    public bool Contains(string name) => tensors.ContainsKey(name);

    /// <summary>The header entry of <paramref name="name"/>; an unknown name is a <see cref="PeftSharpException"/>.</summary>
    public SafetensorsTensorInfo GetInfo(string name) =>
        tensors.TryGetValue(name, out var info) ? info : throw new PeftSharpException($"{FilePath}: no tensor named '{name}'");

    /// <summary>
    /// Reads one tensor into fresh memory; <paramref name="dtype"/> converts it (e.g. bf16 → float32), null keeps the
    /// stored type; <paramref name="device"/> moves it (null = CPU). Integers are never converted to floating point:
    /// weights stored as integers (quantised or mislabelled) would silently become other numbers.
    /// </summary>
    public Tensor ReadTensor(string name, ScalarType? dtype = null, Device? device = null)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var info = GetInfo(name);
        if (dtype is { } wanted && IsFloatingPoint(wanted) && !IsFloatingPoint(info.ScalarType))
            throw new PeftSharpException(
                $"{FilePath}: tensor '{name}' is stored as {info.Dtype}, not as floating-point weights (F32, F16, BF16, F64); converting it would change its values — save the weights in a floating-point type");
        using var scope = NewDisposeScope();
        var result = empty(info.Shape, info.ScalarType); // the stored shape, on CPU
        if (info.ByteLength > 0) CopyInto(result, dataStart + info.Begin);
        if (dtype is { } target && target != info.ScalarType) result = result.to(target);
        if (device is not null && device.type != TorchSharp.DeviceType.CPU) result = result.to(device);
        return result.MoveToOuterDisposeScope();
    }

    private static bool IsFloatingPoint(ScalarType type) => type is ScalarType.Float64 or ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16;

    /// <summary>Copies the mapped bytes at <paramref name="offset"/> into a contiguous CPU tensor, in chunks below 2 GB.</summary>
    private unsafe void CopyInto(Tensor target, long offset)
    {
        mapped.Read(offset, address => TensorBytes.ForEachChunk(target, (span, byteOffset) => new ReadOnlySpan<byte>((byte*)address + byteOffset, span.Length).CopyTo(span)));
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        mapped.Dispose();
    }
}
