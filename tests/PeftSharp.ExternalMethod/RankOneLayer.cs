using PeftSharp.Tuners;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.ExternalMethod;

/// <summary>The rank-one update on one layer: parameters <c>rank_one_u</c> (d) and <c>rank_one_v</c> (k).</summary>
public sealed class RankOneLayer : TunerLayer
{
#pragma warning disable IDE1006 // PEFT-style parameter names
    private readonly Parameter rank_one_u;
    private readonly Parameter rank_one_v;
#pragma warning restore IDE1006
    private readonly double scale;

    public RankOneLayer(LinearLike layer, double scale) : base(nameof(RankOneLayer))
    {
        this.scale = scale;
        rank_one_u = new Parameter(zeros(layer.OutFeatures, dtype: layer.Dtype, device: layer.Device));
        rank_one_v = new Parameter(randn(layer.InFeatures, dtype: layer.Dtype, device: layer.Device));
        RegisterComponents();
    }

    protected override Tensor Forward(LinearLike layer, Tensor x) => layer.Forward(x) + x.matmul(rank_one_v).unsqueeze(-1) * rank_one_u * scale;

    protected override Tensor DeltaWeight(LinearLike layer) => rank_one_u.outer(rank_one_v) * scale;

    protected override ParameterRole RoleOf(string localName) => localName == "rank_one_u" ? ParameterRole.Up : ParameterRole.Down;
}
