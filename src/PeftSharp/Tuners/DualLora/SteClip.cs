namespace PeftSharp.Tuners.DualLora;

/// <summary>
/// The two readings of the straight-through estimator in the Dual LoRA paper, which contradict each other
/// (docs/methods.md#dual-lora): eq. 7 clips the gradient at Sign's input, after the scale; eq. 12 clips ∂L/∂ΔW before it.
/// </summary>
public enum SteClip
{
    /// <summary>Eq. 7: ∂L/∂(DC) = Clip(∂L/∂W_d, −1, 1) with ∂L/∂W_d = s·∂L/∂ΔW ⊙ W_m (the default).</summary>
    SignInput,
    /// <summary>Eq. 12: ∂L/∂(DC) = s·Clip(∂L/∂ΔW, −1, 1) ⊙ W_m.</summary>
    WeightUpdate,
}
