namespace PeftSharp.Tuners.Lora2;

/// <summary>LoRA² (Zhang et al.): two orthogonal LoRAs around a pruned diagonal, the allocator scoring only the small factors.</summary>
public sealed class Lora2Method : PeftMethod
{
    public override string Name => "lora2";
    public override string Title => "LoRA²";
    public override string Summary => "(B1A1)·diag(λ ⊙ mask)·(B2A2), orthogonal regularisers, pruning that scores only λ, A1, B2";
    public override string Reference => "Zhang et al., LoRA²: Multi-Scale Low-Rank Approximations for Fine-Tuning Large Language Models, arXiv:2408.06854 (Neurocomputing 650, 2025)";
    public override Type ConfigType => typeof(Lora2Config);

    /// <summary>The budget of LoRA rank r: inner rank K = r and init_r = r singular values, pruned to r/2 on average.</summary>
    public override AdapterConfig ForBudget(int r) => new Lora2Config { K = r, InitR = r, LoraAlpha = 2 * r };
}
