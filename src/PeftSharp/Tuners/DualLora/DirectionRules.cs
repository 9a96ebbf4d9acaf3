using static TorchSharp.torch;

namespace PeftSharp.Tuners.DualLora;

/// <summary>
/// The elementwise rules of Dual LoRA's two groups, shared by the memory-efficient function and the plain-autograd
/// path so both compute the same thing (docs/methods.md#dual-lora): the magnitude activation and its derivative, the
/// direction W_d from D·C, and the gradient that reaches D·C.
/// </summary>
internal static class DirectionRules
{
    /// <summary>+1 where x &gt; 0, −1 elsewhere (Sign(0) = −1, the paper's eq. 6), in x's dtype.</summary>
    public static Tensor Sign(Tensor x)
    {
        using var positive = x.gt(0);
        return positive.to(x.dtype).mul_(2).sub_(1); // one d×k result, no full-size temporaries left behind
    }

    /// <summary>act(BA): ReLU (the method), Abs or Sigmoid (Table 6), or none (Table 5, setting 1).</summary>
    public static Tensor Activate(MagnitudeActivation activation, Tensor ba) => activation switch
    {
        MagnitudeActivation.Relu => nn.functional.relu(ba),
        MagnitudeActivation.Abs => ba.abs(),
        MagnitudeActivation.Sigmoid => ba.sigmoid(),
        MagnitudeActivation.None => ba.alias(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    /// <summary>act'(BA): 1[BA &gt; 0], sgn(BA), σ(1 − σ), or 1.</summary>
    public static Tensor ActivationDerivative(MagnitudeActivation activation, Tensor ba)
    {
        switch (activation)
        {
            case MagnitudeActivation.Relu:
                using (var positive = ba.gt(0)) return positive.to(ba.dtype);
            case MagnitudeActivation.Abs:
                return ba.sgn();
            case MagnitudeActivation.Sigmoid:
                using (var s = ba.sigmoid()) return s * (1 - s);
            case MagnitudeActivation.None:
                return ones_like(ba);
            default:
                throw new ArgumentOutOfRangeException(nameof(activation));
        }
    }

    /// <summary>
    /// W_d from D·C: Sign(DC) (the method); times the mean |DC| of each output row (XNOR) or of the whole matrix
    /// (DoReFa), Table 3; or DC itself (no Sign, Table 5 setting 2). The scales are constants of the forward pass.
    /// </summary>
    public static Tensor Direction(Tensor dc, SignMode mode)
    {
        switch (mode)
        {
            case SignMode.Ste:
                return Sign(dc);
            case SignMode.Xnor:
                using (var rowScale = dc.abs().mean([1], keepdim: true)) return Sign(dc).mul_(rowScale);
            case SignMode.Dorefa:
                using (var scale = dc.abs().mean()) return Sign(dc).mul_(scale);
            case SignMode.None:
                return dc.clone();
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "the fixed random direction has no D·C");
        }
    }

    /// <summary>
    /// ∂L/∂(DC) from G = ∂L/∂ΔW, the magnitude group W_m and the scale s, where ∂L/∂W_d = s·G ⊙ W_m:
    /// STE, eq. 7 (the default): Clip(∂L/∂W_d, −1, 1), the clip at Sign's input; STE, eq. 12: s·Clip(G, −1, 1) ⊙ W_m,
    /// the clip before the scale; XNOR and DoReFa (eqs. 13–14): ∂L/∂W_d passed straight through — no clip, no factor of
    /// their scale, no gradient through it; no Sign: ∂L/∂W_d, the exact derivative of W_d = DC.
    /// </summary>
    public static Tensor DirectionInputGradient(Tensor gradDelta, Tensor magnitude, double scale, SignMode mode, SteClip clip) =>
        (mode, clip) switch
        {
            (SignMode.Ste, SteClip.SignInput) => gradDelta.mul(magnitude).mul_(scale).clamp_(-1, 1),
            (SignMode.Ste, SteClip.WeightUpdate) => gradDelta.clamp(-1, 1).mul_(magnitude).mul_(scale),
            (SignMode.Xnor or SignMode.Dorefa or SignMode.None, _) => gradDelta.mul(magnitude).mul_(scale),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "the fixed random direction has no D·C"),
        };
}
