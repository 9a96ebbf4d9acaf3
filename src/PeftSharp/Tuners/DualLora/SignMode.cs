namespace PeftSharp.Tuners.DualLora;

/// <summary>How Dual LoRA's direction group W_d is formed: STE is the method; the rest are the paper's ablations.</summary>
public enum SignMode
{
    /// <summary>Sign(DC) with the clipped straight-through gradient (eq. 7, or eq. 12 with <see cref="SteClip.WeightUpdate"/>).</summary>
    Ste,
    /// <summary>Sign(DC) times the mean |DC| of each output row (XNOR-Net; Table 3), gradient passed straight through (eq. 13).</summary>
    Xnor,
    /// <summary>Sign(DC) times the mean |DC| of the whole matrix (DoReFa-Net; Table 3), gradient passed straight through (eq. 14).</summary>
    Dorefa,
    /// <summary>DC itself: no Sign on the direction group (Table 5, setting 2).</summary>
    None,
    /// <summary>A fixed random ±1 matrix instead of Sign(DC), no C and D, scale α/r1 (Table 5, setting 3).</summary>
    FixedRandom,
}
