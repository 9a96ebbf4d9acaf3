namespace PeftSharp.Tuners;

/// <summary>What an adapter parameter is, for optimizer grouping (LoRA+, weight decay).</summary>
public enum ParameterRole
{
    /// <summary>A down-projection / input-side factor (LoRA's A, Dual LoRA's A and C, LoRA²'s A1, A2).</summary>
    Down,
    /// <summary>An up-projection / output-side factor (LoRA's B, Dual LoRA's B and D): LoRA+ raises its learning rate.</summary>
    Up,
    /// <summary>A vector of scales: AdaLoRA/LoRA² λ (no weight decay), DoRA's magnitude.</summary>
    Scale,
    /// <summary>A bias or normalisation parameter (no weight decay).</summary>
    BiasOrNorm,
    /// <summary>A full weight (full fine-tuning, modules_to_save).</summary>
    Weight,
}
