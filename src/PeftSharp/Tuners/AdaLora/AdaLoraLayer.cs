using PeftSharp.Tuners.RankAllocation;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Tuners.AdaLora;

/// <summary>
/// AdaLoRA on one layer: h = W0·x + b + (α/r0)·P·diag(λ)·Q·dropout(x) with P = <c>lora_B</c> (d, r),
/// λ = <c>lora_E</c> (r, 1), Q = <c>lora_A</c> (r, k) — PEFT's names and shapes. P, Q ~ N(0, 0.02²), λ = 0.
/// Masked triplets have λ = 0 (set by the <see cref="RankAllocator"/>). Importance strategy: λ_i, row i of Q
/// and column i of P are all scored.
/// </summary>
public sealed class AdaLoraLayer : TunerLayer, IRankAdaptive
{
#pragma warning disable IDE1006 // PEFT's parameter names
    private readonly Parameter lora_A;
    private readonly Parameter lora_E;
    private readonly Parameter lora_B;
    private readonly Dropout? lora_dropout;
#pragma warning restore IDE1006

    internal AdaLoraLayer(LinearLike layer, bool[]? rankPattern, AdaLoraConfig config) : base(nameof(AdaLoraLayer))
    {
        int r = rankPattern?.Count(k => k) ?? config.InitR; // a saved adapter holds only its kept triplets
        Scaling = config.Scaling;
        lora_A = new Parameter(empty(r, layer.InFeatures, dtype: layer.Dtype, device: layer.Device));
        lora_E = new Parameter(zeros(r, 1, dtype: layer.Dtype, device: layer.Device));
        lora_B = new Parameter(empty(layer.OutFeatures, r, dtype: layer.Dtype, device: layer.Device));
        using (no_grad()) { nn.init.normal_(lora_A, 0, 0.02); nn.init.normal_(lora_B, 0, 0.02); }
        lora_dropout = MakeDropout(config.LoraDropout);
        Mask = Enumerable.Repeat(true, r).ToArray();
        initialRank = config.InitR;
        originalIndices = rankPattern is null ? Enumerable.Range(0, r).ToArray() : Enumerable.Range(0, rankPattern.Length).Where(i => rankPattern[i]).ToArray();
        RegisterComponents();
    }

    private readonly int initialRank;
    private readonly int[] originalIndices; // index in the init_r space of each triplet this adapter holds

    public double Scaling { get; }
    public int Rank => (int)lora_E.shape[0];
    public bool[] Mask { get; set; }
    Tensor IRankAdaptive.Lambda => lora_E;

    /// <summary>rank_pattern in the init_r index space: true where a triplet is held and kept.</summary>
    public bool[] SavedPattern
    {
        get
        {
            var pattern = new bool[initialRank];
            for (int i = 0; i < originalIndices.Length; i++) pattern[originalIndices[i]] = Mask[i];
            return pattern;
        }
    }

    /// <summary>PEFT saves AdaLoRA trimmed to the kept triplets: rows of lora_A and lora_E, columns of lora_B.</summary>
    protected internal override IEnumerable<(string Name, Tensor Value)> SavedTensors()
    {
        if (Mask.All(k => k)) return base.SavedTensors();
        var kept = tensor(Enumerable.Range(0, Rank).Where(i => Mask[i]).Select(i => (long)i).ToArray(), device: lora_A.device);
        return [("lora_A", lora_A.index_select(0, kept)), ("lora_E", lora_E.index_select(0, kept)), ("lora_B", lora_B.index_select(1, kept))];
    }

    /// <summary>Loaded trimmed (all kept) or full with rank_pattern: masked λ are made exactly 0.</summary>
    protected internal override void OnTrained() => RankAllocator.ApplyMask(this);

    IEnumerable<(string Name, Tensor Parameter, TripletAxis Axis)> IRankAdaptive.ScoredParameters =>
        [("lora_E", lora_E, TripletAxis.Element), ("lora_A", lora_A, TripletAxis.Row), ("lora_B", lora_B, TripletAxis.Column)];

    IEnumerable<Tensor> IRankAdaptive.OrthogonalMatrices() => [lora_B, lora_A];

    protected internal override Tensor Forward(LinearLike layer, Tensor x)
    {
        var h = ApplyDropout(lora_dropout, x).matmul((lora_A * lora_E).t()); // (…, r)
        return layer.Forward(x) + h.matmul(lora_B.t()) * Scaling;
    }

    protected internal override Tensor DeltaWeight(LinearLike layer) => lora_B.matmul(lora_A * lora_E) * Scaling;

    /// <summary>The kept triplets only (as saved): A·diag(λ) and s·B.</summary>
    protected internal override (Tensor Down, Tensor Up)? AsLowRank()
    {
        var saved = SavedTensors().ToDictionary(t => t.Name, t => t.Value.detach());
        return (saved["lora_A"] * saved["lora_E"], saved["lora_B"] * Scaling);
    }

    protected internal override ParameterRole RoleOf(string localName) => localName switch
    {
        "lora_B" => ParameterRole.Up,
        "lora_E" => ParameterRole.Scale,
        _ => ParameterRole.Down,
    };
}
