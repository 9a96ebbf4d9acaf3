using static TorchSharp.torch;

namespace PeftSharp.Models;

/// <summary>
/// The one place that says which dtypes are "half" (bfloat16, float16) and what they widen to. A model loaded in a half
/// dtype keeps its frozen weights in it; what trains or accumulates — adapter weights, master copies of trained half
/// weights, optimizer state, norms and softmax statistics, the loss — is float32 (docs/precision.md).
/// </summary>
internal static class MixedPrecision
{
    /// <summary>bfloat16 or float16: 8 and 11 significant bits, too few to accumulate updates or sums in.</summary>
    public static bool IsHalf(ScalarType dtype) => dtype is ScalarType.BFloat16 or ScalarType.Float16;

    /// <summary>float32 for a half dtype, the dtype itself otherwise (float32 stays float32, float64 stays float64).</summary>
    public static ScalarType Widened(ScalarType dtype) => IsHalf(dtype) ? ScalarType.Float32 : dtype;

    /// <summary><paramref name="t"/> converted to <see cref="Widened(ScalarType)"/> (the same tensor when it is not half).</summary>
    public static Tensor Widen(Tensor t) => IsHalf(t.dtype) ? t.to(ScalarType.Float32) : t;
}
