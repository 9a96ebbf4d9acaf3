namespace PeftSharp.Tuners.DualLora;


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
    [MethodOption("Activation of the magnitude group: relu (the method); abs, sigmoid (Table 6); none (Table 5, setting 1)")]
    public MagnitudeActivation MagnitudeActivation { get; init; } = MagnitudeActivation.Relu;

    /// <summary>How the direction group is formed (STE is the method).</summary>
    [MethodOption("Direction group: ste (Sign, the method); xnor, dorefa (Table 3); none = no Sign (Table 5, setting 2); fixed_random = a fixed random ±1 matrix with scale α/r1 (setting 3)")]
    public SignMode SignMode { get; init; } = SignMode.Ste;

    /// <summary>Where the straight-through estimator clips (only for <see cref="SignMode.Ste"/>): the paper's eq. 7 or eq. 12.</summary>
    [MethodOption("STE clip: sign_input = eq. 7, Clip(∂L/∂W_d) at Sign's input (default); weight_update = eq. 12, Clip(∂L/∂ΔW) before the scale")]
    public SteClip SteClip { get; init; } = SteClip.SignInput;

    /// <summary>Seed of the fixed random direction matrices (sign_mode fixed_random); each layer's matrix also depends on its module path.</summary>
    [MethodOption("Seed of the fixed random direction matrices (sign_mode fixed_random)")]
    public int DirectionSeed { get; init; }

    /// <summary>Recompute B·A and D·C in backward instead of keeping four d×k tensors per layer alive. Not saved (an implementation choice).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    [MethodOption("Recompute B·A and D·C in backward instead of keeping four d×k tensors per layer (false: plain autograd, for comparison)")]
    public bool MemoryEfficient { get; init; } = true;

    /// <summary>s = α/√(r1·r2); α/r1 for the fixed random direction, which has no r2 (Table 5, setting 3).</summary>
    internal double Scaling => SignMode == SignMode.FixedRandom ? LoraAlpha / R1 : LoraAlpha / Math.Sqrt((double)R1 * R2);

    public override void Validate()
    {
        base.Validate();
        if (R1 < 1) throw Invalid("r1", "≥ 1", R1);
        if (R2 < 1) throw Invalid("r2", "≥ 1", R2);
        if (!(LoraAlpha > 0) || double.IsInfinity(LoraAlpha)) throw Invalid("lora_alpha", "a positive number", LoraAlpha);
        if (UpdateWarmupSteps < 0) throw Invalid("update_warmup_steps", "≥ 0", UpdateWarmupSteps);
        if (!(InitStd > 0) || double.IsInfinity(InitStd)) throw Invalid("init_std", "a positive number", InitStd);
        if (SteClip != SteClip.SignInput && SignMode != SignMode.Ste)
            throw Invalid("ste_clip", $"sign_input when sign_mode is not ste (the clip belongs to the straight-through estimator)", "weight_update");
    }

    protected internal override TunerLayer CreateLayer(LinearLike layer, string modulePath) => new DualLoraLayer(layer, this, modulePath);

    protected internal override AdapterConfig ForRun(long totalSteps, int learningRateWarmupSteps) =>
        this with { UpdateWarmupSteps = UpdateWarmupSteps ?? Math.Max(1, learningRateWarmupSteps) };

    protected internal override ITrainingSchedule CreateSchedule(IReadOnlyList<(string Path, TunerLayer Layer)> layers) =>
        new DualLoraWarmup(layers.Select(l => (DualLoraLayer)l.Layer).ToList(), UpdateWarmupSteps ?? 1);
}
