using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace PeftSharp.Tuners.RankAllocation;

/// <summary>
/// What AdaLoRA and LoRA² share: an SVD-form update (α/r0)·P·diag(λ)·Q whose r triplets are pruned by importance from
/// <see cref="InitR"/> to <see cref="TargetR"/> per layer on AdaLoRA's cubic schedule, and an orthogonality
/// regulariser. Field names are PEFT's AdaLoraConfig names (docs/methods.md#adalora).
/// </summary>
public abstract record RankAdaptiveConfig : AdapterConfig
{
    /// <summary>Initial number of triplets per layer (r0).</summary>
    [MethodOption("Initial number of triplets (singular values) per layer, r0")]
    public int InitR { get; init; } = 12;

    /// <summary>Average number of triplets per layer at the end of the schedule; null = init_r / 2 (at least 1).</summary>
    [MethodOption("Average triplets per layer after pruning (default: init_r / 2, at least 1)")]
    public int? TargetR { get; init; }

    /// <summary>The scaling numerator α of α/r0.</summary>
    [MethodOption("Scaling α: ΔW = (α/r0)·P·diag(λ)·Q")]
    public double LoraAlpha { get; init; } = 32;

    /// <summary>Steps of warm-up before pruning starts (the budget stays b0); null = 10 % of total_step.</summary>
    [MethodOption("Steps before pruning starts (default: 10 % of the steps)")]
    public int? Tinit { get; init; }

    /// <summary>Steps at the end with the final budget and the mask frozen; null = 20 % of total_step.</summary>
    [MethodOption("Final steps with the mask frozen (default: 20 % of the steps)")]
    public int? Tfinal { get; init; }

    /// <summary>Masking interval ΔT during the cubic decrease.</summary>
    [JsonPropertyName("deltaT")]
    [MethodOption("Steps between masking updates during the budget decrease")]
    public int DeltaT { get; init; } = 1;

    /// <summary>EMA factor of the sensitivity.</summary>
    [MethodOption("EMA factor β1 of the sensitivity")]
    public double Beta1 { get; init; } = 0.85;

    /// <summary>EMA factor of the uncertainty.</summary>
    [MethodOption("EMA factor β2 of the uncertainty")]
    public double Beta2 { get; init; } = 0.85;

    /// <summary>Weight of the orthogonal regulariser (PEFT's AdaLoRA default 0.5).</summary>
    [MethodOption("Weight of the orthogonal regulariser")]
    public double OrthRegWeight { get; init; } = 0.5;

    /// <summary>Total number of optimizer steps T of the schedule; PeftSharp's trainer fills it in, your own loop must give it.</summary>
    public int? TotalStep { get; init; }

    /// <summary>The kept triplets per module path (PEFT <c>rank_pattern</c>, keys "&lt;module path&gt;.&lt;λ name&gt;").</summary>
    public IReadOnlyDictionary<string, bool[]>? RankPattern { get; init; }

    /// <summary>Parameter name of λ in this method's layer (PEFT key suffix used by rank_pattern).</summary>
    internal abstract string LambdaName { get; }

    /// <summary>Whether rank_pattern is saved even when nothing is pruned (LoRA² stores its mask there; AdaLoRA only once pruned, as PEFT).</summary>
    internal virtual bool AlwaysSavesRankPattern => false;

    internal int EffectiveTargetR => TargetR ?? Math.Max(1, InitR / 2);
    internal int EffectiveTinit(int totalStep) => Tinit ?? totalStep / 10;
    internal int EffectiveTfinal(int totalStep) => Tfinal ?? totalStep / 5;

    public override void Validate()
    {
        base.Validate();
        if (InitR < 1) throw Invalid("init_r", "≥ 1", InitR);
        if (EffectiveTargetR < 0 || EffectiveTargetR > InitR) throw Invalid("target_r", $"between 0 and init_r = {InitR}", EffectiveTargetR);
        if (!(LoraAlpha > 0) || double.IsInfinity(LoraAlpha)) throw Invalid("lora_alpha", "a positive number", LoraAlpha);
        if (Tinit < 0) throw Invalid("tinit", "≥ 0", Tinit);
        if (Tfinal < 0) throw Invalid("tfinal", "≥ 0", Tfinal);
        if (DeltaT < 1) throw Invalid("deltaT", "≥ 1", DeltaT);
        if (Beta1 is <= 0 or >= 1 || double.IsNaN(Beta1)) throw Invalid("beta1", "in (0, 1)", Beta1);
        if (Beta2 is <= 0 or >= 1 || double.IsNaN(Beta2)) throw Invalid("beta2", "in (0, 1)", Beta2);
        if (!(OrthRegWeight >= 0) || double.IsInfinity(OrthRegWeight)) throw Invalid("orth_reg_weight", "≥ 0", OrthRegWeight);
        if (TotalStep is { } total && EffectiveTinit(total) + EffectiveTfinal(total) >= total)
            throw Invalid("total_step", $"greater than tinit + tfinal = {EffectiveTinit(total) + EffectiveTfinal(total)} (the budget must have time to decrease)", total);
    }

    /// <summary>Scale α / r0 (the initial rank; it does not change as triplets are masked).</summary>
    internal double Scaling => LoraAlpha / InitR;

    /// <summary>The kept-triplet mask of <paramref name="modulePath"/> from <see cref="RankPattern"/>, if any.</summary>
    internal bool[]? PatternFor(string modulePath) =>
        RankPattern is not null && RankPattern.TryGetValue($"{modulePath}.{LambdaName}", out var mask) ? mask : null;

    protected internal override AdapterConfig ForRun(long totalSteps, int learningRateWarmupSteps)
    {
        int total = TotalStep ?? checked((int)totalSteps);
        return this with { TotalStep = total, Tinit = EffectiveTinit(total), Tfinal = EffectiveTfinal(total), TargetR = EffectiveTargetR };
    }

    protected internal override ITrainingSchedule CreateSchedule(IReadOnlyList<(string Path, TunerLayer Layer)> layers) =>
        new RankAllocator(layers.Select(l => (l.Path, (IRankAdaptive)l.Layer)).ToList(), this);

    protected internal override bool HasRegularization => OrthRegWeight > 0;

    /// <summary>orth_reg_weight × the mean orthogonality penalty over every regularised matrix.</summary>
    protected internal override Tensor? RegularizationLoss(IReadOnlyList<TunerLayer> layers) =>
        HasRegularization ? Orthogonality.Loss(layers.Cast<IRankAdaptive>(), OrthRegWeight) : null;

    /// <summary>rank_pattern from the layers' masks: LoRA² always; AdaLoRA once a triplet has been pruned (as PEFT).</summary>
    protected internal override AdapterConfig ForSaving(IReadOnlyList<(string Path, TunerLayer Layer)> layers)
    {
        var patterns = layers.ToDictionary(l => $"{l.Path}.{LambdaName}", l => ((IRankAdaptive)l.Layer).SavedPattern);
        return this with { RankPattern = AlwaysSavesRankPattern || patterns.Values.Any(p => p.Any(k => !k)) ? patterns : null };
    }
}
