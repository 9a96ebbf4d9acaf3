namespace PeftSharp.Tuners.Lora;

/// <summary>LoRA+: LoRA with B trained at a higher learning rate (Hayou et al. 2024); saved as a plain LoRA adapter.</summary>
public sealed class LoraPlusMethod : PeftMethod
{
    /// <summary>The ratio the LoRA+ paper recommends.</summary>
    public const double DefaultRatio = 16;

    public override string Name => "lora-plus";
    public override string Title => "LoRA+";
    public override string Summary => "LoRA with every B at loraplus_lr_ratio × the learning rate";
    public override string Reference => "Hayou et al., LoRA+: Efficient Low Rank Adaptation of Large Models, ICML 2024 (arXiv:2402.12354)";
    public override Type ConfigType => typeof(LoraConfig);
    public override bool ComparedByDefault => false;
    public override AdapterConfig ForBudget(int r) => new LoraConfig { R = r, LoraAlpha = 2 * r, LoraPlusLrRatio = DefaultRatio };
    public override bool Describes(AdapterConfig config) => config is LoraConfig { UseDora: false, LoraPlusLrRatio: not null };
}
