using System.Text.Json.Nodes;

namespace PeftSharp.Tuners.Lora2;

/// <summary>
/// LoRA² (Zhang et al., seed paper 002): multi-scale orthogonal LoRA, ΔW = (α/r0)·(B1·A1)·diag(λ)·(B2·A2)
/// with inner rank <see cref="K"/> (the parameter budget) and r = <see cref="RankAllocation.RankAdaptiveConfig.InitR"/>
/// singular values pruned by AdaLoRA's allocator scoring only λ, A1 and B2 (METHODS.md "LoRA²").
/// </summary>
public sealed record Lora2Config : RankAllocation.RankAdaptiveConfig
{
    public Lora2Config() => OrthRegWeight = 0.1;

    public override string PeftType => "LORA2";
    internal override string LambdaName => "lora_lambda";
    internal override bool AlwaysSavesRankPattern => true;

    /// <summary>Inner rank K of both LoRA factorisations.</summary>
    public int K { get; init; } = 8;

    public override void Validate()
    {
        base.Validate();
        if (K < 1) throw Invalid("k", "≥ 1", K);
    }

    internal override LayerAdapter CreateAdapter(BaseLayer layer, string modulePath) =>
        new Lora2Adapter(layer, PatternFor(modulePath), this);

    internal override void WriteJson(JsonObject json)
    {
        base.WriteJson(json);
        json["k"] = K;
    }

    internal static Lora2Config Read(ConfigReader r) => ReadShared(r, new Lora2Config { K = r.Require<int>("k") });
}
