namespace PeftSharp.Tuners.DualLora;

/// <summary>Dual LoRA's magnitude activation (paper Table 6 ablation); ReLU is the method.</summary>
public enum MagnitudeActivation { Relu, Abs, Sigmoid }

/// <summary>
/// How the direction group is binarised (paper Table 3 ablation): <see cref="Ste"/> is the method (Sign with the
/// clipped straight-through gradient); <see cref="Xnor"/> scales each row by the mean |DC| of that row (XNOR-Net);
/// <see cref="Dorefa"/> scales by one scalar, the mean |DC| of the whole matrix (DoReFa-Net).
/// </summary>
public enum SignMode { Ste, Xnor, Dorefa }

/// <summary>
/// Dual LoRA (Xu et al.): ΔW = α/√(r1·r2) · ReLU(B·A) ⊙ Sign(D·C), with a warm-up ramp that keeps ΔW = 0 before the
/// first update. docs/methods.md#dual-lora has the equations, the ramp and the readings of the paper.
/// </summary>
public sealed record DualLoraConfig : AdapterConfig
{
    public override string PeftType => "DUAL_LORA";

    /// <summary>Rank of the magnitude group (A, B).</summary>
    [MethodOption("Rank r1 of the magnitude group A (r1, k), B (d, r1)")]
    public int R1 { get; init; } = 4;

    /// <summary>Rank of the direction group (C, D).</summary>
    [MethodOption("Rank r2 of the direction group C (r2, k), D (d, r2)")]
    public int R2 { get; init; } = 4;

    /// <summary>The scaling numerator α of α/√(r1·r2).</summary>
    [MethodOption("Scaling α: ΔW = α/√(r1·r2) · act(BA) ⊙ Sign(DC)")]
    public double LoraAlpha { get; init; } = 8;

    /// <summary>
    /// Optimizer steps over which the update ramps in (0 = none: ΔW is the full product from the start); null = the
    /// learning-rate warm-up of PeftSharp's trainer (at least 1), or 1 step when you drive training yourself.
    /// </summary>
    [MethodOption("Steps over which the update ramps in from ΔW = 0 (0 = none; default: the learning-rate warm-up, at least 1)")]
    public int? UpdateWarmupSteps { get; init; }

    /// <summary>Standard deviation of the Gaussian initialisation of A, B, C, D.</summary>
    [MethodOption("Standard deviation of the Gaussian initialisation of A, B, C, D")]
    public double InitStd { get; init; } = 0.02;

    /// <summary>The magnitude group's activation (ReLU is the method).</summary>
    [MethodOption("Activation of the magnitude group (ReLU is the method; Abs and Sigmoid are the paper's ablations)")]
    public MagnitudeActivation MagnitudeActivation { get; init; } = MagnitudeActivation.Relu;

    /// <summary>How the direction group is binarised (STE is the method).</summary>
    [MethodOption("Binarisation of the direction group (STE is the method; XNOR and DoReFa are the paper's ablations)")]
    public SignMode SignMode { get; init; } = SignMode.Ste;

    /// <summary>Recompute B·A and D·C in backward instead of keeping four d×k tensors per layer alive. Not saved (an implementation choice).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    [MethodOption("Recompute B·A and D·C in backward instead of keeping four d×k tensors per layer (false: plain autograd, for comparison)")]
    public bool MemoryEfficient { get; init; } = true;

    /// <summary>s = α/√(r1·r2).</summary>
    internal double Scaling => LoraAlpha / Math.Sqrt((double)R1 * R2);

    public override void Validate()
    {
        base.Validate();
        if (R1 < 1) throw Invalid("r1", "≥ 1", R1);
        if (R2 < 1) throw Invalid("r2", "≥ 1", R2);
        if (!(LoraAlpha > 0) || double.IsInfinity(LoraAlpha)) throw Invalid("lora_alpha", "a positive number", LoraAlpha);
        if (UpdateWarmupSteps < 0) throw Invalid("update_warmup_steps", "≥ 0", UpdateWarmupSteps);
        if (!(InitStd > 0) || double.IsInfinity(InitStd)) throw Invalid("init_std", "a positive number", InitStd);
    }

    protected internal override TunerLayer CreateLayer(LinearLike layer, string modulePath) => new DualLoraLayer(layer, this);

    protected internal override AdapterConfig ForRun(long totalSteps, int learningRateWarmupSteps) =>
        this with { UpdateWarmupSteps = UpdateWarmupSteps ?? Math.Max(1, learningRateWarmupSteps) };

    protected internal override ITrainingSchedule CreateSchedule(IReadOnlyList<(string Path, TunerLayer Layer)> layers) =>
        new DualLoraWarmup(layers.Select(l => (DualLoraLayer)l.Layer).ToList(), UpdateWarmupSteps ?? 1);
}
