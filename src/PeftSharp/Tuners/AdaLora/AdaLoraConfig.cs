namespace PeftSharp.Tuners.AdaLora;

/// <summary>
/// AdaLoRA (Zhang et al. 2023): ΔW = (α/r0)·P·diag(λ)·Q with importance-based pruning of the triplets
/// (docs/methods.md#adalora). PEFT's AdaLoraConfig fields; orth_reg_weight defaults to PEFT's 0.5.
/// </summary>
public sealed record AdaLoraConfig : RankAllocation.RankAdaptiveConfig
{
    public override string PeftType => "ADALORA";
    internal override string LambdaName => "lora_E";

    protected internal override TunerLayer CreateLayer(LinearLike layer, string modulePath) =>
        new AdaLoraLayer(layer, PatternFor(modulePath), this);
}
