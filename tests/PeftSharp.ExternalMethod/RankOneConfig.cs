using PeftSharp.Tuners;

namespace PeftSharp.ExternalMethod;

/// <summary>ΔW = s · u vᵀ: a rank-one update, u (d) = 0 at init, v (k) Gaussian.</summary>
public sealed record RankOneConfig : AdapterConfig
{
    public override string PeftType => "RANK_ONE";

    /// <summary>The scale s.</summary>
    [MethodOption("Scale s of the rank-one update")]
    public double RankOneScale { get; init; } = 2;

    public override void Validate()
    {
        base.Validate();
        if (!(RankOneScale > 0)) throw Invalid("rank_one_scale", "a positive number", RankOneScale);
    }

    protected override TunerLayer CreateLayer(LinearLike layer, string modulePath) => new RankOneLayer(layer, RankOneScale);
}
