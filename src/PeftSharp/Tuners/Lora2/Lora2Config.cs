namespace PeftSharp.Tuners.Lora2;

/// <summary>
/// LoRA² (Zhang et al.): multi-scale orthogonal LoRA, ΔW = (α/r0)·(B1·A1)·diag(λ)·(B2·A2) with inner rank
/// <see cref="K"/> (the parameter budget) and r = <see cref="RankAllocation.RankAdaptiveConfig.InitR"/> singular values
/// pruned by AdaLoRA's allocator scoring only λ, A1 and B2 (docs/methods.md#lora2).
/// </summary>
public sealed record Lora2Config : RankAllocation.RankAdaptiveConfig
{
    public Lora2Config() => OrthRegWeight = 0.1;

    public override string PeftType => "LORA2";
    internal override string LambdaName => "lora_lambda";
    internal override bool AlwaysSavesRankPattern => true;

    /// <summary>Inner rank K of both LoRA factorisations.</summary>
    [MethodOption("LoRA² inner rank K of both factorisations B1 (d, K)·A1 (K, r) and B2 (r, K)·A2 (K, k)")]
    public int K { get; init; } = 8;

    /// <summary>The matrices the orthogonal regulariser constrains (the paper's Table 3 variants; all six is the method).</summary>
    [MethodOption("Matrices the orthogonal regulariser constrains (paper Table 3): all = P, Q, B1, A1, B2, A2 (the method); products = P, Q ('P&Q'); factors = B1, A1, B2, A2 ('uv & 𝒰𝒱'); q_factors = B2, A2 ('uv'); p_factors = B1, A1 ('𝒰𝒱')")]
    public Lora2OrthogonalMatrices OrthRegMatrices { get; init; } = Lora2OrthogonalMatrices.All;

    public override void Validate()
    {
        base.Validate();
        if (K < 1) throw Invalid("k", "≥ 1", K);
    }

    /// <summary>A2 (K, in) and B1 (out, K).</summary>
    protected internal override (long InFeatures, long OutFeatures)? LayerShape(IReadOnlyDictionary<string, long[]> savedShapes) =>
        (savedShapes.GetValueOrDefault("lora_A2.weight"), savedShapes.GetValueOrDefault("lora_B1.weight")) is ([_, var k], [var d, _]) ? (k, d) : null;

    protected internal override TunerLayer CreateLayer(LinearLike layer, string modulePath) =>
        new Lora2Layer(layer, PatternFor(modulePath), this);
}
