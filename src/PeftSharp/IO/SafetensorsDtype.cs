using static TorchSharp.torch;

namespace PeftSharp.IO;

/// <summary>The element types of the safetensors format that PeftSharp reads and writes.</summary>
internal enum SafetensorsDtype { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL }

internal static class SafetensorsDtypes
{
    public static int Size(SafetensorsDtype dtype) => dtype switch
    {
        SafetensorsDtype.F64 or SafetensorsDtype.I64 => 8,
        SafetensorsDtype.F32 or SafetensorsDtype.I32 => 4,
        SafetensorsDtype.F16 or SafetensorsDtype.BF16 or SafetensorsDtype.I16 => 2,
        _ => 1,
    };

    public static ScalarType ToScalarType(SafetensorsDtype dtype) => dtype switch
    {
        SafetensorsDtype.F64 => ScalarType.Float64,
        SafetensorsDtype.F32 => ScalarType.Float32,
        SafetensorsDtype.F16 => ScalarType.Float16,
        SafetensorsDtype.BF16 => ScalarType.BFloat16,
        SafetensorsDtype.I64 => ScalarType.Int64,
        SafetensorsDtype.I32 => ScalarType.Int32,
        SafetensorsDtype.I16 => ScalarType.Int16,
        SafetensorsDtype.I8 => ScalarType.Int8,
        SafetensorsDtype.U8 => ScalarType.Byte,
        SafetensorsDtype.BOOL => ScalarType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    public static SafetensorsDtype? FromScalarType(ScalarType type) => type switch
    {
        ScalarType.Float64 => SafetensorsDtype.F64,
        ScalarType.Float32 => SafetensorsDtype.F32,
        ScalarType.Float16 => SafetensorsDtype.F16,
        ScalarType.BFloat16 => SafetensorsDtype.BF16,
        ScalarType.Int64 => SafetensorsDtype.I64,
        ScalarType.Int32 => SafetensorsDtype.I32,
        ScalarType.Int16 => SafetensorsDtype.I16,
        ScalarType.Int8 => SafetensorsDtype.I8,
        ScalarType.Byte => SafetensorsDtype.U8,
        ScalarType.Bool => SafetensorsDtype.BOOL,
        _ => null,
    };

    /// <summary>
    /// Position of the dtype in the reference implementation's enum (BOOL, U8, I8, …, I16, F16, BF16, I32, F32, F64, I64),
    /// which lists dtypes in increasing alignment: its writer lays tensors out by this rank, descending, then by name,
    /// so every tensor starts at a multiple of its element size. Ours does the same, which makes its files byte-identical.
    /// </summary>
    public static int AlignmentRank(SafetensorsDtype dtype) => dtype switch
    {
        SafetensorsDtype.BOOL => 0,
        SafetensorsDtype.U8 => 1,
        SafetensorsDtype.I8 => 2,
        SafetensorsDtype.I16 => 5,
        SafetensorsDtype.F16 => 7,
        SafetensorsDtype.BF16 => 8,
        SafetensorsDtype.I32 => 9,
        SafetensorsDtype.F32 => 11,
        SafetensorsDtype.F64 => 12,
        SafetensorsDtype.I64 => 13,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    public static bool TryParse(string text, out SafetensorsDtype dtype) =>
        Enum.TryParse(text, ignoreCase: false, out dtype) && Enum.IsDefined(dtype) && text == dtype.ToString();

    public static string Known => string.Join(", ", Enum.GetNames<SafetensorsDtype>());
}

/// <summary>One tensor entry of a safetensors header: offsets are relative to the start of the data area.</summary>
internal sealed record SafetensorsTensorInfo(string Name, SafetensorsDtype Dtype, long[] Shape, long Begin, long End)
{
    /// <summary>Bytes the tensor occupies in the data area (<c>End - Begin</c>).</summary>
    public long ByteLength => End - Begin;
    /// <summary>The TorchSharp element type that <see cref="Dtype"/> maps to (BOOL → Bool, U8 → Byte, …).</summary>
    public ScalarType ScalarType => SafetensorsDtypes.ToScalarType(Dtype);
    /// <summary>Product of <see cref="Shape"/> (1 for a 0-dim tensor).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => checked(a * b));
}
