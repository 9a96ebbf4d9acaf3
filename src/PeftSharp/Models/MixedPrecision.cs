using System.Runtime.Intrinsics.X86;
using TorchSharp;
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

    /// <summary>
    /// False when this x64 CPU lacks what libtorch's fast half-precision matrix product needs (oneDNN: AVX-512 BW/VL/DQ for
    /// bfloat16, AVX-512 FP16 / AVX10 for float16): libtorch then falls back to a one-thread loop that is 50 to 300 times slower than
    /// its float32 product (bench/RESULTS.md). True on other architectures, where this is not known.
    /// </summary>
    public static bool HasFastMatmul(ScalarType dtype, Device device)
    {
        if (!IsHalf(dtype) || device.type != DeviceType.CPU || !X86Base.IsSupported) return true;
        return dtype == ScalarType.BFloat16
            ? Avx512BW.IsSupported && Avx512BW.VL.IsSupported && Avx512DQ.IsSupported
            : Avx10v1.IsSupported;
    }
}
