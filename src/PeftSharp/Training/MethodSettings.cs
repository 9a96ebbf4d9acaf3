using PeftSharp.Tuners;
using PeftSharp.Tuners.AdaLora;
using PeftSharp.Tuners.DualLora;
using PeftSharp.Tuners.Lora;
using PeftSharp.Tuners.Lora2;

namespace PeftSharp.Training;

/// <summary>
/// A fine-tuning method by name with its hyperparameters, as the CLI and recipes give them. <see cref="R"/> is the
/// parameter budget in LoRA ranks; every method derives its own sizes from it unless they are given:
/// Dual LoRA r1 = r2 = r/2, AdaLoRA init_r = r, LoRA² K = r.
/// </summary>
public sealed record MethodSettings
{
    public static readonly string[] Names = ["full", "lora", "dora", "lora-plus", "adalora", "dual-lora", "lora2"];

    public string Method { get; init; } = "lora";
    public int R { get; init; } = 8;
    public double Alpha { get; init; } = 16;
    public double Dropout { get; init; }
    /// <summary>null = the architecture's default targets.</summary>
    public TargetModules? TargetModules { get; init; }
    public IReadOnlyList<string>? ModulesToSave { get; init; }
    public string Bias { get; init; } = "none";
    public bool UseRslora { get; init; }
    public double LoraPlusRatio { get; init; } = LoraPlus.DefaultRatio;
    public int? R1 { get; init; }
    public int? R2 { get; init; }
    public int? UpdateWarmupSteps { get; init; }
    public double InitStd { get; init; } = 0.02;
    public MagnitudeActivation MagnitudeActivation { get; init; } = MagnitudeActivation.Relu;
    public SignMode SignMode { get; init; } = SignMode.Ste;
    public bool MemoryEfficient { get; init; } = true;
    public int? K { get; init; }
    public int? InitR { get; init; }
    public int? TargetR { get; init; }
    public int? Tinit { get; init; }
    public int? Tfinal { get; init; }
    public int DeltaT { get; init; } = 1;
    public double Beta1 { get; init; } = 0.85;
    public double Beta2 { get; init; } = 0.85;
    public double? OrthRegWeight { get; init; }

    public bool IsFull => Method == "full";

    /// <summary>LoRA+'s learning-rate ratio for the up-projections, 1 for every other method.</summary>
    public double UpLearningRateRatio => Method == "lora-plus" ? LoraPlusRatio : 1;

    /// <summary>
    /// The adapter configuration (null for full fine-tuning). Schedules that depend on the run are resolved here:
    /// Dual LoRA's γ ramp defaults to the learning-rate warm-up (at least 1 step); AdaLoRA / LoRA² get T and, unless
    /// given, tinit = 10 % and tfinal = 20 % of T.
    /// </summary>
    public AdapterConfig? CreateConfig(TargetModules defaultTargets, int learningRateWarmup, long totalSteps)
    {
        if (!Names.Contains(Method)) throw new PeftSharpException($"unknown method '{Method}'; choose one of {string.Join(", ", Names)}");
        var targets = TargetModules ?? defaultTargets;
        int total = checked((int)totalSteps);
        int tinit = Tinit ?? total / 10, tfinal = Tfinal ?? total / 5;
        AdapterConfig? config = Method switch
        {
            "full" => null,
            "lora" or "lora-plus" or "dora" => new LoraConfig { R = R, LoraAlpha = Alpha, UseRslora = UseRslora, UseDora = Method == "dora" },
            "dual-lora" => new DualLoraConfig
            {
                R1 = R1 ?? Half(R), R2 = R2 ?? Half(R), LoraAlpha = Alpha, InitStd = InitStd,
                UpdateWarmupSteps = UpdateWarmupSteps ?? Math.Max(1, learningRateWarmup),
                MagnitudeActivation = MagnitudeActivation, SignMode = SignMode, MemoryEfficient = MemoryEfficient,
            },
            "adalora" => new AdaLoraConfig
            {
                InitR = InitR ?? R, TargetR = TargetR ?? Math.Max(1, (InitR ?? R) / 2), LoraAlpha = Alpha,
                Tinit = tinit, Tfinal = tfinal, DeltaT = DeltaT, Beta1 = Beta1, Beta2 = Beta2, TotalStep = total,
                OrthRegWeight = OrthRegWeight ?? 0.5,
            },
            _ => new Lora2Config
            {
                K = K ?? R, InitR = InitR ?? K ?? R, TargetR = TargetR ?? Math.Max(1, (InitR ?? K ?? R) / 2), LoraAlpha = Alpha,
                Tinit = tinit, Tfinal = tfinal, DeltaT = DeltaT, Beta1 = Beta1, Beta2 = Beta2, TotalStep = total,
                OrthRegWeight = OrthRegWeight ?? 0.1,
            },
        };
        if (config is null) return null;
        config = config with { TargetModules = targets, LoraDropout = Dropout, ModulesToSave = ModulesToSave, Bias = Bias };
        config.Validate();
        return config;
    }

    static int Half(int r) => r >= 2 ? r / 2 : throw new PeftSharpException($"Dual LoRA derives r1 = r2 = r/2 from --r; --r {r} is too small (give --r1 and --r2)");
}
