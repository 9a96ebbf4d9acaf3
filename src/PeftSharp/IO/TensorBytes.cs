using static TorchSharp.torch;

namespace PeftSharp.IO;

/// <summary>Byte access to contiguous CPU tensors in chunks that fit a Span (&lt; 2 GB).</summary>
internal static class TensorBytes
{
    private const long DefaultChunkBytes = 1L << 30;

    public delegate void ChunkAction(Span<byte> chunk, long byteOffset);

    /// <summary>Calls <paramref name="action"/> on consecutive byte ranges of the tensor, each at most <paramref name="chunkBytes"/> long (rounded down to whole elements).</summary>
    public static void ForEachChunk(Tensor contiguousCpu, ChunkAction action, long chunkBytes = DefaultChunkBytes)
    {
        long elementSize = contiguousCpu.ElementSize;
        long total = contiguousCpu.numel();
        if (total == 0) return;
        if (total * elementSize <= chunkBytes) { action(contiguousCpu.bytes, 0); return; }
        using var flat = contiguousCpu.view(-1);
        long perChunk = Math.Max(1, chunkBytes / elementSize);
        for (long start = 0; start < total; start += perChunk)
        {
            using var slice = flat.narrow(0, start, Math.Min(perChunk, total - start));
            action(slice.bytes, start * elementSize);
        }
    }
}
