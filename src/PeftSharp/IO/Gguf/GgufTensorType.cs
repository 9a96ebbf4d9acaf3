namespace PeftSharp.IO.Gguf;

/// <summary>
/// ggml's tensor element types, with the numbers GGUF stores. PeftSharp reads F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K and
/// Q6_K (the last five dequantised on load) and writes F32, F16, BF16 and Q8_0; the other names are known only so that
/// an error can say which type a file used.
/// </summary>
public enum GgufTensorType : uint
{
    F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
    Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15,
    IQ2_XXS = 16, IQ2_XS = 17, IQ3_XXS = 18, IQ1_S = 19, IQ4_NL = 20, IQ3_S = 21, IQ2_S = 22, IQ4_XS = 23,
    I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28, IQ1_M = 29, BF16 = 30, TQ1_0 = 34, TQ2_0 = 35, MXFP4 = 39,
}

/// <summary>Block layouts of the supported types: elements per block and bytes per block (ggml's ggml-common.h).</summary>
internal static class GgufTensorTypes
{
    /// <summary>Elements of a K-quant super-block.</summary>
    public const int SuperBlock = 256;

    /// <summary>(elements, bytes) of one block, or null when PeftSharp cannot decode the type.</summary>
    public static (int Elements, int Bytes)? Block(GgufTensorType type) => type switch
    {
        GgufTensorType.F32 => (1, 4),
        GgufTensorType.F16 or GgufTensorType.BF16 => (1, 2),
        GgufTensorType.Q8_0 => (32, 2 + 32),                               // f16 scale, 32 × int8
        GgufTensorType.Q4_0 => (32, 2 + 16),                               // f16 scale, 32 × 4 bits
        GgufTensorType.Q4_K => (SuperBlock, 2 + 2 + 12 + SuperBlock / 2),  // f16 d, f16 dmin, 12 bytes of 6-bit scales/mins, 4-bit quants
        GgufTensorType.Q5_K => (SuperBlock, 2 + 2 + 12 + SuperBlock / 8 + SuperBlock / 2), // … plus one high bit per element
        GgufTensorType.Q6_K => (SuperBlock, SuperBlock / 2 + SuperBlock / 4 + SuperBlock / 16 + 2), // low 4 bits, high 2 bits, int8 scales, f16 d
        _ => null,
    };

    public static string Supported => "F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K";

    public static string Name(uint type) => Enum.IsDefined((GgufTensorType)type) ? ((GgufTensorType)type).ToString() : $"type {type}";

    /// <summary>Bytes of <paramref name="elements"/> elements (a whole number of blocks), checked against overflow.</summary>
    public static long ByteSize(GgufTensorType type, long elements)
    {
        var (blockElements, blockBytes) = Block(type) ?? throw new ArgumentOutOfRangeException(nameof(type), type, "no known layout");
        return checked(elements / blockElements * blockBytes);
    }
}
