using System.Buffers.Binary;

namespace PeftSharp.IO.Gguf;

/// <summary>
/// Decodes ggml's quantised blocks to float32, following the block layouts of ggml-common.h (each layout is described
/// at its method). <c>source</c> holds whole blocks; <c>target</c> receives their elements in order.
/// </summary>
internal static class GgufDequantizer
{
    public static void Decode(GgufTensorType type, ReadOnlySpan<byte> source, Span<float> target)
    {
        var (elements, bytes) = GgufTensorTypes.Block(type) ?? throw new ArgumentOutOfRangeException(nameof(type), type, "no known layout");
        int blocks = source.Length / bytes;
        if (blocks * bytes != source.Length || target.Length != blocks * elements)
            throw new ArgumentException($"{source.Length} bytes of {type} do not decode to {target.Length} elements");
        for (int b = 0; b < blocks; b++)
        {
            var block = source.Slice(b * bytes, bytes);
            var output = target.Slice(b * elements, elements);
            switch (type)
            {
                case GgufTensorType.Q8_0: Q8_0(block, output); break;
                case GgufTensorType.Q4_0: Q4_0(block, output); break;
                case GgufTensorType.Q4_K: Q4_K(block, output); break;
                case GgufTensorType.Q5_K: Q5_K(block, output); break;
                case GgufTensorType.Q6_K: Q6_K(block, output); break;
                default: throw new ArgumentOutOfRangeException(nameof(type), type, "not a quantised type");
            }
        }
    }

    private static float Half(ReadOnlySpan<byte> bytes) => (float)BinaryPrimitives.ReadHalfLittleEndian(bytes);

    /// <summary>Q8_0: f16 scale d, then 32 int8 q; x = d·q.</summary>
    private static void Q8_0(ReadOnlySpan<byte> block, Span<float> y)
    {
        float d = Half(block);
        for (int j = 0; j < 32; j++) y[j] = (sbyte)block[2 + j] * d;
    }

    /// <summary>Q4_0: f16 scale d, then 16 bytes; byte j holds element j (low nibble) and j + 16 (high); x = d·(q − 8).</summary>
    private static void Q4_0(ReadOnlySpan<byte> block, Span<float> y)
    {
        float d = Half(block);
        var qs = block[2..];
        for (int j = 0; j < 16; j++)
        {
            y[j] = ((qs[j] & 0xF) - 8) * d;
            y[j + 16] = ((qs[j] >> 4) - 8) * d;
        }
    }

    /// <summary>
    /// The 6-bit scale and min of sub-block <paramref name="j"/> (0…7) from K-quants' 12 packed bytes: sub-blocks 0–3 keep
    /// theirs in the low 6 bits of bytes j and j + 4; sub-blocks 4–7 in the nibbles of byte j + 4, topped up with the two
    /// high bits of bytes j − 4 (scale) and j (min).
    /// </summary>
    private static (int Scale, int Min) ScaleMin(ReadOnlySpan<byte> scales, int j) => j < 4
        ? (scales[j] & 63, scales[j + 4] & 63)
        : ((scales[j + 4] & 0xF) | ((scales[j - 4] >> 6) << 4), (scales[j + 4] >> 4) | ((scales[j] >> 6) << 4));

    /// <summary>
    /// Q4_K: f16 d, f16 dmin, 12 bytes of scales/mins, 128 bytes of 4-bit quants. Eight sub-blocks of 32: x = d·scale·q − dmin·min.
    /// Each 32 bytes of quants serve two sub-blocks: the low nibbles the first, the high nibbles the second.
    /// </summary>
    private static void Q4_K(ReadOnlySpan<byte> block, Span<float> y)
    {
        float d = Half(block), dmin = Half(block[2..]);
        var scales = block.Slice(4, 12);
        var qs = block.Slice(16, 128);
        for (int pair = 0; pair < 4; pair++)
        {
            var (s1, m1) = ScaleMin(scales, 2 * pair);
            var (s2, m2) = ScaleMin(scales, 2 * pair + 1);
            var q = qs.Slice(32 * pair, 32);
            var output = y.Slice(64 * pair, 64);
            for (int l = 0; l < 32; l++)
            {
                output[l] = d * s1 * (q[l] & 0xF) - dmin * m1;
                output[l + 32] = d * s2 * (q[l] >> 4) - dmin * m2;
            }
        }
    }

    /// <summary>
    /// Q5_K: as Q4_K (d, dmin, 12 scale bytes, 128 bytes of low nibbles) plus 32 bytes qh of fifth bits placed before the
    /// nibbles: sub-block 2p takes bit 2p of qh[l], sub-block 2p + 1 bit 2p + 1.
    /// </summary>
    private static void Q5_K(ReadOnlySpan<byte> block, Span<float> y)
    {
        float d = Half(block), dmin = Half(block[2..]);
        var scales = block.Slice(4, 12);
        var qh = block.Slice(16, 32);
        var qs = block.Slice(48, 128);
        for (int pair = 0; pair < 4; pair++)
        {
            var (s1, m1) = ScaleMin(scales, 2 * pair);
            var (s2, m2) = ScaleMin(scales, 2 * pair + 1);
            var q = qs.Slice(32 * pair, 32);
            var output = y.Slice(64 * pair, 64);
            int low = 1 << (2 * pair), high = 1 << (2 * pair + 1);
            for (int l = 0; l < 32; l++)
            {
                output[l] = d * s1 * ((q[l] & 0xF) + ((qh[l] & low) != 0 ? 16 : 0)) - dmin * m1;
                output[l + 32] = d * s2 * ((q[l] >> 4) + ((qh[l] & high) != 0 ? 16 : 0)) - dmin * m2;
            }
        }
    }

    /// <summary>
    /// Q6_K: 128 bytes ql (low 4 bits), 64 bytes qh (high 2 bits), 16 int8 scales, f16 d; sixteen sub-blocks of 16, x = d·scale·(q − 32).
    /// Each half of 128 elements uses 64 ql bytes and 32 qh bytes: element l + 32k (k = 0…3) takes the low or high nibble of
    /// ql[l] or ql[l + 32] and bits 2k, 2k + 1 of qh[l].
    /// </summary>
    private static void Q6_K(ReadOnlySpan<byte> block, Span<float> y)
    {
        float d = Half(block[208..]);
        for (int half = 0; half < 2; half++)
        {
            var ql = block.Slice(64 * half, 64);
            var qh = block.Slice(128 + 32 * half, 32);
            var scales = block.Slice(192 + 8 * half, 8);
            var output = y.Slice(128 * half, 128);
            for (int l = 0; l < 32; l++)
            {
                int s = l / 16;
                int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                output[l] = d * (sbyte)scales[s] * q1;
                output[l + 32] = d * (sbyte)scales[s + 2] * q2;
                output[l + 64] = d * (sbyte)scales[s + 4] * q3;
                output[l + 96] = d * (sbyte)scales[s + 6] * q4;
            }
        }
    }
}
