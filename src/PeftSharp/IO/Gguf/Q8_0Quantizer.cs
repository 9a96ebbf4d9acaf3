using System.Buffers.Binary;

namespace PeftSharp.IO.Gguf;

/// <summary>
/// Q8_0 encoding as ggml's reference quantiser does it, so the bytes equal llama.cpp's: per block of 32, d = max|x| / 127
/// (stored as f16, rounded to nearest even), q = round-half-away(x · (1/d)) with 1/d from the unrounded float d; an all-zero
/// block has d = 0 and q = 0.
/// </summary>
internal static class Q8_0Quantizer
{
    public const int BlockElements = 32, BlockBytes = 34;

    public static void Encode(ReadOnlySpan<float> x, Span<byte> output)
    {
        if (x.Length % BlockElements != 0 || output.Length != x.Length / BlockElements * BlockBytes)
            throw new ArgumentException($"{x.Length} elements do not fill whole Q8_0 blocks of {output.Length} bytes");
        for (int b = 0; b < x.Length / BlockElements; b++)
        {
            var values = x.Slice(b * BlockElements, BlockElements);
            var block = output.Slice(b * BlockBytes, BlockBytes);
            float amax = 0;
            foreach (float v in values) amax = MathF.Max(amax, MathF.Abs(v));
            float d = amax / 127;
            float id = d != 0 ? 1 / d : 0;
            BinaryPrimitives.WriteHalfLittleEndian(block, (Half)d);
            for (int j = 0; j < BlockElements; j++)
                block[2 + j] = (byte)(sbyte)MathF.Round(values[j] * id, MidpointRounding.AwayFromZero);
        }
    }
}
