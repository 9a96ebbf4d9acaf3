namespace PeftSharp.IO.Gguf;

/// <summary>
/// One tensor entry of a GGUF file. <see cref="Dimensions"/> are ggml's (innermost first: a PyTorch (out, in) weight is
/// stored as [in, out]); <see cref="Shape"/> is the PyTorch order. <see cref="Offset"/> is relative to the data section.
/// </summary>
internal sealed record GgufTensorInfo(string Name, long[] Dimensions, GgufTensorType Type, long Offset, long ByteLength)
{
    /// <summary>The PyTorch shape: the dimensions reversed.</summary>
    public long[] Shape => Dimensions.Reverse().ToArray();
    public long ElementCount => Dimensions.Aggregate(1L, (a, b) => checked(a * b));
    public string ShapeText => $"[{string.Join(", ", Shape)}]";
}
