using PeftSharp.Tuners.RankAllocation;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Tuners.Lora2;

/// <summary>
/// LoRA² on one layer: P = B1·A1 with B1 (d, K), A1 (K, r); Q = B2·A2 with B2 (r, K), A2 (K, k);
/// ΔW = (α/r0)·P·diag(λ)·Q, λ (r) = 0 at init, factors ~ N(0, 0.02²). Saved as <c>lora_B1.weight</c>,
/// <c>lora_A1.weight</c>, <c>lora_lambda</c>, <c>lora_B2.weight</c>, <c>lora_A2.weight</c>. Importance strategy:
/// only λ_i, column i of A1 and row i of B2 are scored; the large B1 and A2 never are (LoRA² paper, eq. 9).
/// Masked λ are 0; a loaded adapter keeps its mask from rank_pattern.
/// </summary>
public sealed class Lora2Layer : TunerLayer, IRankAdaptive
{
#pragma warning disable IDE1006 // names of the adapter format (docs/formats.md)
    private readonly Linear lora_B1; // weight (d, K)
    private readonly Linear lora_A1; // weight (K, r)
    private readonly Parameter lora_lambda; // (r)
    private readonly Linear lora_B2; // weight (r, K)
    private readonly Linear lora_A2; // weight (K, k)
    private readonly Dropout? lora_dropout;
#pragma warning restore IDE1006
    private readonly Lora2OrthogonalMatrices orthogonalMatrices;

    internal Lora2Layer(LinearLike layer, bool[]? rankPattern, Lora2Config config) : base(nameof(Lora2Layer))
    {
        int r = config.InitR, k = config.K;
        Scaling = config.Scaling;
        lora_B1 = Factor(k, layer.OutFeatures, layer);
        lora_A1 = Factor(r, k, layer);
        lora_lambda = new Parameter(zeros(r, dtype: layer.Dtype, device: layer.Device));
        lora_B2 = Factor(k, r, layer);
        lora_A2 = Factor(layer.InFeatures, k, layer);
        lora_dropout = MakeDropout(config.LoraDropout);
        orthogonalMatrices = config.OrthRegMatrices;
        if (rankPattern is not null && rankPattern.Length != r)
            throw new PeftSharpException($"LORA2 rank_pattern has {rankPattern.Length} entries for a layer with init_r = {r}");
        Mask = rankPattern?.ToArray() ?? Enumerable.Repeat(true, r).ToArray();
        RegisterComponents();
    }

    private static Linear Factor(long inFeatures, long outFeatures, LinearLike layer)
    {
        var linear = nn.Linear(inFeatures, outFeatures, hasBias: false, device: layer.Device, dtype: layer.Dtype);
        using (no_grad()) nn.init.normal_(linear.weight!, 0, 0.02);
        return linear;
    }

    public double Scaling { get; }
    public int Rank => (int)lora_lambda.shape[0];
    public bool[] Mask { get; set; }
    bool[] IRankAdaptive.SavedPattern => Mask.ToArray();
    Tensor IRankAdaptive.Lambda => lora_lambda;
    internal Tensor B1 => lora_B1.weight!;
    internal Tensor A1 => lora_A1.weight!;
    internal Tensor Lambda => lora_lambda;
    internal Tensor B2 => lora_B2.weight!;
    internal Tensor A2 => lora_A2.weight!;

    /// <summary>Masked λ are saved as 0 (docs/methods.md#lora2): between mask events they stay trainable and may have regrown.</summary>
    protected internal override IEnumerable<(string Name, Tensor Value)> SavedTensors() =>
        base.SavedTensors().Select(t => t.Name == "lora_lambda" ? (t.Name, t.Value * tensor(Mask, device: t.Value.device).to(t.Value.dtype)) : t);

    /// <summary>The mask comes from rank_pattern: re-applied so masked λ are exactly 0.</summary>
    protected internal override void OnTrained() => RankAllocator.ApplyMask(this);

    IEnumerable<(string Name, Tensor Parameter, TripletAxis Axis)> IRankAdaptive.ScoredParameters =>
        [("lora_lambda", lora_lambda, TripletAxis.Element), ("lora_A1.weight", A1, TripletAxis.Column), ("lora_B2.weight", B2, TripletAxis.Row)];

    /// <summary>
    /// The outer group P = B1A1, Q = B2A2 and the inner groups (B1, A1), (B2, A2) (LoRA² paper, eq. 5; Table 3 "All"),
    /// or the subset of the configured Table 3 variant.
    /// </summary>
    IEnumerable<Tensor> IRankAdaptive.OrthogonalMatrices() => orthogonalMatrices switch
    {
        Lora2OrthogonalMatrices.All => [B1.matmul(A1), B2.matmul(A2), B1, A1, B2, A2],
        Lora2OrthogonalMatrices.Products => [B1.matmul(A1), B2.matmul(A2)],
        Lora2OrthogonalMatrices.Factors => [B1, A1, B2, A2],
        Lora2OrthogonalMatrices.QFactors => [B2, A2],
        Lora2OrthogonalMatrices.PFactors => [B1, A1],
        _ => throw new ArgumentOutOfRangeException(nameof(orthogonalMatrices)),
    };

    protected internal override Tensor Forward(LinearLike layer, Tensor x)
    {
        var q = lora_B2.call(lora_A2.call(ApplyDropout(lora_dropout, x))); // (…, r)
        return layer.Forward(x) + lora_B1.call(lora_A1.call(q * lora_lambda)) * Scaling;
    }

    protected internal override Tensor DeltaWeight(LinearLike layer) =>
        B1.matmul(A1).mul(lora_lambda).matmul(B2.matmul(A2)) * Scaling;

    protected internal override ParameterRole RoleOf(string localName) => localName switch
    {
        "lora_lambda" => ParameterRole.Scale,
        _ when localName.StartsWith("lora_B", StringComparison.Ordinal) => ParameterRole.Up,
        _ => ParameterRole.Down,
    };
}
