namespace PeftSharp.Tuners.DualLora;

/// <summary>Dual LoRA (Xu et al.): a magnitude group ReLU(BA) times a direction group Sign(DC).</summary>
public sealed class DualLoraMethod : PeftMethod
{
    public override string Name => "dual-lora";
    public override string Title => "Dual LoRA";
    public override string Summary => "α/√(r1 r2) · ReLU(BA) ⊙ Sign(DC), straight-through estimator, warm-up ramp";
    public override string Reference => "Xu et al., Dual LoRA: Enhancing LoRA with Magnitude and Direction Updates, arXiv:2512.03402 (2025)";
    public override Type ConfigType => typeof(DualLoraConfig);

    /// <summary>The budget of LoRA rank r: r1 = r2 = r/2 (the paper compares Dual LoRA r = 16 with LoRA r = 32).</summary>
    public override AdapterConfig ForBudget(int r) =>
        r >= 2 && r % 2 == 0
            ? new DualLoraConfig { R1 = r / 2, R2 = r / 2, LoraAlpha = 2 * r }
            : throw new InvalidOptionException("dual-lora", "r", "an even number ≥ 2 (r1 = r2 = r/2 has LoRA rank r's budget; or give r1 and r2)", r);
}
