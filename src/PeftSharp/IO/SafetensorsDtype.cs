using static TorchSharp.torch;

namespace PeftSharp.IO;

/// <summary>The element types of the safetensors format that PeftSharp reads and writes.</summary>
public enum SafetensorsDtype { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL }

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

    public static bool TryParse(string text, out SafetensorsDtype dtype) =>
        Enum.TryParse(text, ignoreCase: false, out dtype) && Enum.IsDefined(dtype) && text == dtype.ToString();

    public static string Known => string.Join(", ", Enum.GetNames<SafetensorsDtype>());
}

/// <summary>One tensor entry of a safetensors header: offsets are relative to the start of the data area.</summary>
public sealed record SafetensorsTensorInfo(string Name, SafetensorsDtype Dtype, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;
    public ScalarType ScalarType => SafetensorsDtypes.ToScalarType(Dtype);
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}
