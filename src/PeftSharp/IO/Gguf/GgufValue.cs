namespace PeftSharp.IO.Gguf;

/// <summary>
/// One GGUF metadata value: a number, a bool, a string, or an array of one such type (the format allows arrays of
/// arrays; llama.cpp does not use them and PeftSharp refuses them). Arrays are held as typed .NET arrays
/// (<c>string[]</c>, <c>float[]</c>, <c>int[]</c>, …), scalars boxed.
/// </summary>
internal sealed class GgufValue
{
    private GgufValue(GgufValueType type, object raw, GgufValueType? elementType = null) => (Type, Raw, ElementType) = (type, raw, elementType);

    public GgufValueType Type { get; }
    /// <summary>The element type when <see cref="Type"/> is Array.</summary>
    public GgufValueType? ElementType { get; }
    public object Raw { get; }

    public static GgufValue Of(string value) => new(GgufValueType.String, value);
    public static GgufValue Of(uint value) => new(GgufValueType.UInt32, value);
    public static GgufValue Of(int value) => new(GgufValueType.Int32, value);
    public static GgufValue Of(float value) => new(GgufValueType.Float32, value);
    public static GgufValue Of(bool value) => new(GgufValueType.Bool, value);
    public static GgufValue Of(string[] values) => new(GgufValueType.Array, values, GgufValueType.String);
    public static GgufValue Of(float[] values) => new(GgufValueType.Array, values, GgufValueType.Float32);
    public static GgufValue Of(int[] values) => new(GgufValueType.Array, values, GgufValueType.Int32);

    /// <summary>A value of <paramref name="type"/> as read from a file (a scalar of that type, or a typed array).</summary>
    internal static GgufValue Read(GgufValueType type, object raw, GgufValueType? elementType = null) => new(type, raw, elementType);

    /// <summary>How the type reads in messages: "uint32", "array of string".</summary>
    public string TypeName => Type == GgufValueType.Array ? $"array of {Describe(ElementType!.Value)}" : Describe(Type);

    public static string Describe(GgufValueType type) => type.ToString().ToLowerInvariant();

    /// <summary>The value as an integer when it is one (any width), else null.</summary>
    public long? AsInteger() => Raw switch
    {
        byte v => v,
        sbyte v => v,
        ushort v => v,
        short v => v,
        uint v => v,
        int v => v,
        long v => v,
        ulong v when v <= long.MaxValue => (long)v,
        _ => null,
    };

    /// <summary>
    /// The value as a number when it is a float (either width), else null. A float32 becomes the shortest decimal that
    /// reads back as it (1e-5f → 1e-05, not 9.99999974737875e-06), the value a config.json would have held.
    /// </summary>
    public double? AsFloat() => Raw switch
    {
        float v => double.Parse(v.ToString("R", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture),
        double v => v,
        _ => null,
    };
}
