using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Models.Llama;

/// <summary>
/// Rotary position embedding (Su et al. 2021) in HF's rotate-half layout: the head dimension splits
/// into halves (x₁, x₂) rotated as (x₁cos − x₂sin, x₂cos + x₁sin) with frequency
/// θ^(−2i/head_dim), optionally rescaled (llama3, linear). Holds no tensors between calls.
/// </summary>
internal sealed class RotaryEmbedding
{
    private readonly float[] inverseFrequencies; // (head_dim / 2)

    public RotaryEmbedding(LlamaConfig config)
    {
        inverseFrequencies = UnscaledFrequencies(config);
        if (config.RopeFrequencyFactors is { } factors) inverseFrequencies = inverseFrequencies.Zip(factors, (f, divisor) => f / divisor).ToArray();
        else if (config.RopeScaling is { } scaling) inverseFrequencies = Rescale(inverseFrequencies, scaling);
    }

    /// <summary>θ^(−2i/d) before any scaling, in float32 exactly as the reference implementations compute it.</summary>
    internal static float[] UnscaledFrequencies(LlamaConfig config)
    {
        var dim = config.Dim;
        using var exponents = torch.arange(0, dim, 2, dtype: ScalarType.Int64).to(ScalarType.Float32) / dim;
        using var powers = torch.pow(torch.tensor((float)config.RopeTheta), exponents);
        using var inverse = powers.reciprocal();
        return inverse.data<float>().ToArray();
    }

    internal IReadOnlyList<float> InverseFrequencies => inverseFrequencies;

    /// <summary>llama3: keep high frequencies, divide low ones by factor, interpolate in between; linear: divide all.</summary>
    internal static float[] Rescale(float[] frequencies, RopeScaling scaling)
    {
        if (scaling.Type == "linear") return frequencies.Select(f => (float)(f / scaling.Factor)).ToArray();
        var oldContext = (double)scaling.OriginalMaxPositionEmbeddings;
        var lowFrequencyWavelength = oldContext / scaling.LowFreqFactor;
        var highFrequencyWavelength = oldContext / scaling.HighFreqFactor;
        return frequencies.Select(f =>
        {
            var wavelength = 2 * Math.PI / f;
            if (wavelength < highFrequencyWavelength) return f;
            if (wavelength > lowFrequencyWavelength) return (float)(f / scaling.Factor);
            var smooth = (oldContext / wavelength - scaling.LowFreqFactor) / (scaling.HighFreqFactor - scaling.LowFreqFactor);
            return (float)((1 - smooth) * f / scaling.Factor + smooth * f);
        }).ToArray();
    }

    /// <summary>positions (batch|1, seq) → cos, sin (batch|1, 1, seq, head_dim) in <paramref name="dtype"/>.</summary>
    public (Tensor Cos, Tensor Sin) Angles(Tensor positions, ScalarType dtype)
    {
        var inverse = torch.tensor(inverseFrequencies, device: positions.device);                   // (hd/2)
        var angles = positions.to(ScalarType.Float32).unsqueeze(-1) * inverse;                       // (b, seq, hd/2)
        var full = torch.cat([angles, angles], -1).unsqueeze(1);                                     // (b, 1, seq, hd)
        return (full.cos().to(dtype), full.sin().to(dtype));
    }

    /// <summary>x (batch, heads, seq, hd) rotated by the angles of <see cref="Angles"/>.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        var half = x.shape[^1] / 2;
        var rotated = torch.cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);          // (−x₂, x₁)
        return x * cos + rotated * sin;
    }
}
