using System.Text.Json.Serialization;

namespace PeftSharp.Tuners.Lora;

/// <summary>
/// LoRA (Hu et al. 2021): ΔW = s·B·A with s = α/r, or α/√r with rsLoRA. With <see cref="UseDora"/> the same
/// factors drive DoRA (Liu et al. 2024), and with <see cref="LoraPlusLrRatio"/> they train as LoRA+ (Hayou et al.
/// 2024), as in PEFT. docs/methods.md#lora.
/// </summary>
public sealed record LoraConfig : AdapterConfig
{
    public override string PeftType => "LORA";

    /// <summary>The rank r of A (r, k) and B (d, r).</summary>
    [MethodOption("LoRA rank r")]
    public int R { get; init; } = 8;

    /// <summary>The scaling numerator α.</summary>
    [MethodOption("Scaling α: ΔW = (α/r)·B·A (rsLoRA: α/√r)")]
    public double LoraAlpha { get; init; } = 8;

    /// <summary>rsLoRA's scaling α/√r.</summary>
    [MethodOption("rsLoRA scaling α/√r instead of α/r")]
    public bool UseRslora { get; init; }

    /// <summary>DoRA: a trainable magnitude per output row over the normalised direction W0 + s·B·A (the method "dora").</summary>
    public bool UseDora { get; init; }

    /// <summary>LoRA+: the learning rate of every B is this many times the base rate; null = plain LoRA. Not saved (a training setting).</summary>
    [JsonIgnore, JsonPropertyName("loraplus_lr_ratio")]
    [MethodOption("LoRA+: learning-rate ratio of the B matrices to the rest")]
    public double? LoraPlusLrRatio { get; init; }

    /// <summary>A trainable bias on B (PEFT <c>lora_bias</c>): the adapter adds s·b_B; merging adds it to the layer's bias. Not with DoRA.</summary>
    [MethodOption("A trainable bias on the B matrices (merged into the layer's bias)")]
    public bool LoraBias { get; init; }

    /// <summary>Per-module rank overrides (PEFT <c>rank_pattern</c>): a key matches a module path ending with it.</summary>
    public IReadOnlyDictionary<string, int> RankPattern { get; init; } = new Dictionary<string, int>();

    /// <summary>Per-module α overrides (PEFT <c>alpha_pattern</c>).</summary>
    public IReadOnlyDictionary<string, double> AlphaPattern { get; init; } = new Dictionary<string, double>();

    public override void Validate()
    {
        base.Validate();
        if (R < 1) throw Invalid("r", "≥ 1", R);
        if (!(LoraAlpha > 0) || double.IsInfinity(LoraAlpha)) throw Invalid("lora_alpha", "a positive number", LoraAlpha);
        foreach (var (key, r) in RankPattern) if (r < 1) throw Invalid($"rank_pattern.{key}", "≥ 1", r);
        if (LoraBias && UseDora) throw Invalid("lora_bias", "false with use_dora (DoRA has no bias on B)", LoraBias);
        if (LoraPlusLrRatio is { } ratio && (!(ratio > 0) || double.IsInfinity(ratio))) throw Invalid("loraplus_lr_ratio", "a positive number", ratio);
    }

    internal static double Scaling(double alpha, int r, bool rslora) => rslora ? alpha / Math.Sqrt(r) : alpha / r;

    protected internal override TunerLayer CreateLayer(LinearLike layer, string modulePath)
    {
        int r = PatternLookup.Find(RankPattern, modulePath) ?? R;
        double alpha = PatternLookup.Find(AlphaPattern, modulePath) ?? LoraAlpha;
        double scaling = Scaling(alpha, r, UseRslora);
        return UseDora ? new DoraLayer(layer, r, scaling, LoraDropout) : new LoraLayer(layer, r, scaling, LoraDropout, LoraBias, modulePath);
    }

    protected internal override double UpLearningRateRatio => LoraPlusLrRatio ?? 1;

    protected internal override bool DeltaDependsOnBaseWeights => UseDora;
}
