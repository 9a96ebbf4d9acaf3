namespace PeftSharp.Tuners.Lora;

/// <summary>DoRA: LoRA with <c>use_dora</c> (Liu et al. 2024).</summary>
public sealed class DoraMethod : PeftMethod
{
    public override string Name => "dora";
    public override string Title => "DoRA";
    public override string Summary => "magnitude m and direction (W0 + s·BA)/‖·‖, one norm per output row";
    public override string Reference => "Liu et al., DoRA: Weight-Decomposed Low-Rank Adaptation, ICML 2024 (arXiv:2402.09353)";
    public override Type ConfigType => typeof(LoraConfig);
    public override AdapterConfig ForBudget(int r) => new LoraConfig { R = r, LoraAlpha = 2 * r, UseDora = true };
    public override bool Describes(AdapterConfig config) => config is LoraConfig { UseDora: true };
}
