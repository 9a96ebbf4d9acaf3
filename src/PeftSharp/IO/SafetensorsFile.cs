using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using static TorchSharp.torch;

namespace PeftSharp.IO;

/// <summary>
/// A memory-mapped .safetensors file. Opening validates the whole header; <see cref="ReadTensor"/> materialises one
/// tensor at a time (a fresh tensor owning its memory), so loading a checkpoint never holds two copies of it.
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    /// <summary>Headers larger than this are refused before anything is allocated (the reference library's limit).</summary>
    internal const long MaxHeaderBytes = 100_000_000;

    readonly IReadOnlyDictionary<string, SafetensorsTensorInfo> tensors;
    readonly MemoryMappedFile? map;
    readonly MemoryMappedViewAccessor? view;
    readonly long dataStart;

    SafetensorsFile(string path, IReadOnlyDictionary<string, SafetensorsTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata, long dataStart, long fileLength)
    {
        FilePath = path;
        this.tensors = tensors;
        Metadata = metadata;
        this.dataStart = dataStart;
        Keys = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (fileLength > dataStart)
        {
            map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, 0, MemoryMappedFileAccess.Read);
            view = map.CreateViewAccessor(0, fileLength, MemoryMappedFileAccess.Read);
        }
    }

    public string FilePath { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    /// <summary>Tensor names, sorted ordinally.</summary>
    public IReadOnlyList<string> Keys { get; }
    /// <summary>Sum of the tensors' byte lengths.</summary>
    public long TotalBytes => tensors.Values.Sum(t => t.ByteLength);

    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new PeftSharpException($"{path}: file not found");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = stream.Length;
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
        return new SafetensorsFile(path, tensors, metadata, dataStart, length);
    }

    public bool Contains(string name) => tensors.ContainsKey(name);

    public SafetensorsTensorInfo GetInfo(string name) =>
        tensors.TryGetValue(name, out var info) ? info : throw new PeftSharpException($"{FilePath}: no tensor named '{name}'");

    /// <summary>Reads one tensor; <paramref name="dtype"/> converts it (e.g. bf16 → float32), null keeps the stored type.</summary>
    public Tensor ReadTensor(string name, ScalarType? dtype = null, Device? device = null)
    {
        var info = GetInfo(name);
        using var scope = NewDisposeScope();
        var result = empty(info.Shape, info.ScalarType);
        if (info.ByteLength > 0) CopyInto(result, dataStart + info.Begin);
        if (dtype is { } target && target != info.ScalarType) result = result.to(target);
        if (device is not null && device.type != TorchSharp.DeviceType.CPU) result = result.to(device);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Copies the mapped bytes at <paramref name="offset"/> into a contiguous CPU tensor, in chunks below 2 GB.</summary>
    unsafe void CopyInto(Tensor target, long offset)
    {
        byte* basePointer = null;
        view!.SafeMemoryMappedViewHandle.AcquirePointer(ref basePointer);
        try
        {
            basePointer += view.PointerOffset;
            TensorBytes.ForEachChunk(target, (span, byteOffset) => new ReadOnlySpan<byte>(basePointer + offset + byteOffset, span.Length).CopyTo(span));
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }

    public void Dispose()
    {
        view?.Dispose();
        map?.Dispose();
    }
}
