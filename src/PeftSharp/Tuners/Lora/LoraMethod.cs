namespace PeftSharp.Tuners.Lora;

/// <summary>LoRA, and rsLoRA with <c>use_rslora</c> (Hu et al. 2021; Kalajdzievski 2023).</summary>
public sealed class LoraMethod : PeftMethod
{
    public override string Name => "lora";
    public override string Title => "LoRA";
    public override string Summary => "ΔW = s·B·A, s = α/r (rsLoRA: α/√r)";
    public override string Reference => "Hu et al., LoRA: Low-Rank Adaptation of Large Language Models, ICLR 2022 (arXiv:2106.09685)";
    public override Type ConfigType => typeof(LoraConfig);
    public override AdapterConfig ForBudget(int r) => new LoraConfig { R = r, LoraAlpha = 2 * r };
    public override bool Describes(AdapterConfig config) => config is LoraConfig { UseDora: false, LoraPlusLrRatio: null };
}
