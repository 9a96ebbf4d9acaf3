namespace PeftSharp.Tuners.AdaLora;

/// <summary>AdaLoRA (Zhang et al. 2023): SVD-form adapters whose ranks are pruned by importance during training.</summary>
public sealed class AdaLoraMethod : PeftMethod
{
    public override string Name => "adalora";
    public override string Title => "AdaLoRA";
    public override string Summary => "P·diag(λ)·Q with importance-based rank allocation";
    public override string Reference => "Zhang et al., Adaptive Budget Allocation for Parameter-Efficient Fine-Tuning, ICLR 2023 (arXiv:2303.10512)";
    public override Type ConfigType => typeof(AdaLoraConfig);

    /// <summary>The budget of LoRA rank r: init_r = r triplets per layer, pruned to r/2 on average.</summary>
    public override AdapterConfig ForBudget(int r) => new AdaLoraConfig { InitR = r, LoraAlpha = 2 * r };
}
