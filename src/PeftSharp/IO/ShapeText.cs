namespace PeftSharp.IO;

/// <summary>A tensor shape for messages: "[768, 2304]"; a shape of many dimensions is cut short so an error stays one readable line.</summary>
internal static class ShapeText
{
    private const int MaxDimensions = 8;

    public static string Of(IReadOnlyCollection<long> shape) => shape.Count <= MaxDimensions
        ? $"[{string.Join(", ", shape)}]"
        : $"[{string.Join(", ", shape.Take(MaxDimensions))}, … ({shape.Count} dimensions)]";
}
