using System.Text.Json.Nodes;

namespace PeftSharp.Tuners.RankAllocation;

/// <summary>
/// What AdaLoRA and LoRA² share: an SVD-form update (α/r0)·P·diag(λ)·Q whose r triplets are pruned by
/// importance from <see cref="InitR"/> to <see cref="TargetR"/> per layer on AdaLoRA's cubic schedule, and
/// an orthogonality regulariser. Field names are PEFT's AdaLoraConfig names (METHODS.md "AdaLoRA").
/// </summary>
public abstract record RankAdaptiveConfig : AdapterConfig
{
    /// <summary>Initial number of triplets per layer (r0).</summary>
    public int InitR { get; init; } = 12;
    /// <summary>Average number of triplets per layer at the end of the schedule.</summary>
    public int TargetR { get; init; } = 8;
    public double LoraAlpha { get; init; } = 32;
    /// <summary>Steps of warm-up before pruning starts (budget stays b0).</summary>
    public int Tinit { get; init; }
    /// <summary>Steps at the end with the final budget and the mask frozen.</summary>
    public int Tfinal { get; init; }
    /// <summary>Masking interval ΔT during the cubic decrease.</summary>
    public int DeltaT { get; init; } = 1;
    public double Beta1 { get; init; } = 0.85;
    public double Beta2 { get; init; } = 0.85;
    public double OrthRegWeight { get; init; } = 0.5;
    /// <summary>Total number of optimizer steps T; the trainer fills it in when it is not given.</summary>
    public int? TotalStep { get; init; }
    /// <summary>The kept triplets per module path (PEFT <c>rank_pattern</c>, keys "&lt;module path&gt;.&lt;λ name&gt;").</summary>
    public IReadOnlyDictionary<string, bool[]>? RankPattern { get; init; }

    /// <summary>Parameter name of λ in this method's adapter (PEFT key suffix used by rank_pattern).</summary>
    internal abstract string LambdaName { get; }

    /// <summary>Whether rank_pattern is saved even when nothing is pruned (LoRA² stores its mask there; AdaLoRA only once pruned, as PEFT).</summary>
    internal virtual bool AlwaysSavesRankPattern => false;

    public override void Validate()
    {
        base.Validate();
        if (InitR < 1) throw Invalid("init_r", "≥ 1", InitR);
        if (TargetR < 0 || TargetR > InitR) throw Invalid("target_r", $"between 0 and init_r = {InitR}", TargetR);
        if (!(LoraAlpha > 0) || double.IsInfinity(LoraAlpha)) throw Invalid("lora_alpha", "a positive number", LoraAlpha);
        if (Tinit < 0) throw Invalid("tinit", "≥ 0", Tinit);
        if (Tfinal < 0) throw Invalid("tfinal", "≥ 0", Tfinal);
        if (DeltaT < 1) throw Invalid("deltaT", "≥ 1", DeltaT);
        if (Beta1 is <= 0 or >= 1 || double.IsNaN(Beta1)) throw Invalid("beta1", "in (0, 1)", Beta1);
        if (Beta2 is <= 0 or >= 1 || double.IsNaN(Beta2)) throw Invalid("beta2", "in (0, 1)", Beta2);
        if (!(OrthRegWeight >= 0) || double.IsInfinity(OrthRegWeight)) throw Invalid("orth_reg_weight", "≥ 0", OrthRegWeight);
        if (TotalStep is { } total && Tinit + Tfinal >= total)
            throw Invalid("total_step", $"greater than tinit + tfinal = {Tinit + Tfinal} (the budget must have time to decrease)", total);
    }

    /// <summary>orth_reg_weight × the mean orthogonality penalty over every regularised matrix.</summary>
    internal override TorchSharp.torch.Tensor? RegularizationLoss(IReadOnlyList<LayerAdapter> adapters) =>
        HasRegularization ? Orthogonality.Loss(adapters.Cast<IRankAdaptive>(), OrthRegWeight) : null;

    internal override bool HasRegularization => OrthRegWeight > 0;

    /// <summary>Scale α / r0 (the initial rank; it does not change as triplets are masked).</summary>
    public double Scaling => LoraAlpha / InitR;

    /// <summary>The kept-triplet mask of <paramref name="modulePath"/> from <see cref="RankPattern"/>, if any.</summary>
    internal bool[]? PatternFor(string modulePath) =>
        RankPattern is not null && RankPattern.TryGetValue($"{modulePath}.{LambdaName}", out var mask) ? mask : null;

    internal override void WriteJson(JsonObject json)
    {
        base.WriteJson(json);
        json["init_r"] = InitR;
        json["target_r"] = TargetR;
        json["r"] = InitR;
        json["lora_alpha"] = LoraAlpha;
        json["tinit"] = Tinit;
        json["tfinal"] = Tfinal;
        json["deltaT"] = DeltaT;
        json["beta1"] = Beta1;
        json["beta2"] = Beta2;
        json["orth_reg_weight"] = OrthRegWeight;
        json["total_step"] = TotalStep;
        json["rank_pattern"] = RankPattern is null ? null : new JsonObject(RankPattern.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, (JsonNode?)new JsonArray(p.Value.Select(b => (JsonNode?)b).ToArray()))));
    }

    internal static T ReadShared<T>(ConfigReader r, T config) where T : RankAdaptiveConfig
    {
        _ = r.Get("r", 0); // PEFT writes r next to init_r; init_r is the one that counts
        return ReadCommon(r, config with
        {
            InitR = r.Get("init_r", 12),
            TargetR = r.Get("target_r", 8),
            LoraAlpha = r.Get("lora_alpha", 32.0),
            Tinit = r.Get("tinit", 0),
            Tfinal = r.Get("tfinal", 0),
            DeltaT = r.Get("deltaT", 1),
            Beta1 = r.Get("beta1", 0.85),
            Beta2 = r.Get("beta2", 0.85),
            OrthRegWeight = r.Get("orth_reg_weight", config.OrthRegWeight),
            TotalStep = r.Get<int?>("total_step", null),
            RankPattern = ReadRankPattern(r),
        });
    }

    static IReadOnlyDictionary<string, bool[]>? ReadRankPattern(ConfigReader r)
    {
        var obj = r.GetObject("rank_pattern");
        if (obj is null) return null;
        var result = new Dictionary<string, bool[]>();
        foreach (var (key, value) in obj)
        {
            if (value is not JsonArray array || array.Any(v => v is not JsonValue jv || !jv.TryGetValue<bool>(out _)))
                throw new PeftSharpException($"{r.Source}: field 'rank_pattern.{key}': expected a list of true/false, got {value?.ToJsonString() ?? "null"}");
            result[key] = array.Select(v => v!.GetValue<bool>()).ToArray();
        }
        return result;
    }
}
