using System.Text.Json.Nodes;

namespace PeftSharp.Tuners.DualLora;

/// <summary>Dual LoRA's magnitude activation (paper 001 Table 5 ablation); ReLU is the method.</summary>
public enum MagnitudeActivation { Relu, Abs, Sigmoid }

/// <summary>
/// How the direction group is binarised (paper 001 ablations): <see cref="Ste"/> is the method
/// (Sign with the clipped straight-through gradient); <see cref="Xnor"/> scales each row by the mean
/// |DC| of that row (XNOR-Net), differentiable through the scale; <see cref="Dorefa"/> scales by one
/// detached scalar, the mean |DC| of the whole matrix (DoReFa-Net).
/// </summary>
public enum SignMode { Ste, Xnor, Dorefa }

/// <summary>
/// Dual LoRA (Xu et al., seed paper 001): ΔW = γ(t) · α/√(r1·r2) · ReLU(B·A) ⊙ Sign(D·C).
/// See METHODS.md "Dual LoRA" for the contract and the reading of the warm-up ramp γ.
/// </summary>
public sealed record DualLoraConfig : AdapterConfig
{
    public override string PeftType => "DUAL_LORA";

    /// <summary>Rank of the magnitude group (A, B).</summary>
    public int R1 { get; init; } = 4;
    /// <summary>Rank of the direction group (C, D).</summary>
    public int R2 { get; init; } = 4;
    public double LoraAlpha { get; init; } = 8;
    /// <summary>Length of the γ ramp 0 → 1 in optimizer steps; 0 = no ramp; null = the learning-rate warm-up length (at least 1), resolved by the trainer.</summary>
    public int? UpdateWarmupSteps { get; init; }
    /// <summary>Standard deviation of the Gaussian initialisation of A, B, C, D.</summary>
    public double InitStd { get; init; } = 0.02;
    public MagnitudeActivation MagnitudeActivation { get; init; } = MagnitudeActivation.Relu;
    public SignMode SignMode { get; init; } = SignMode.Ste;
    /// <summary>Recompute B·A and D·C in backward instead of keeping four d×k tensors per layer alive.</summary>
    public bool MemoryEfficient { get; init; } = true;

    /// <summary>The configuration with the same parameter budget as LoRA rank r: r1 = r2 = r/2.</summary>
    public static DualLoraConfig EqualBudgetTo(int loraRank, double alpha, TargetModules targets) =>
        loraRank < 2 || loraRank % 2 != 0
            ? throw new PeftSharpException($"Dual LoRA with the budget of LoRA r = {loraRank} needs an even r ≥ 2 (r1 = r2 = r/2)")
            : new DualLoraConfig { R1 = loraRank / 2, R2 = loraRank / 2, LoraAlpha = alpha, TargetModules = targets };

    public double Scaling => LoraAlpha / Math.Sqrt((double)R1 * R2);

    public override void Validate()
    {
        base.Validate();
        if (R1 < 1) throw Invalid("r1", "≥ 1", R1);
        if (R2 < 1) throw Invalid("r2", "≥ 1", R2);
        if (!(LoraAlpha > 0) || double.IsInfinity(LoraAlpha)) throw Invalid("lora_alpha", "a positive number", LoraAlpha);
        if (UpdateWarmupSteps < 0) throw Invalid("update_warmup_steps", "≥ 0", UpdateWarmupSteps);
        if (!(InitStd > 0) || double.IsInfinity(InitStd)) throw Invalid("init_std", "a positive number", InitStd);
    }

    internal override LayerAdapter CreateAdapter(BaseLayer layer, string modulePath) => new DualLoraAdapter(layer, this);

    internal override void WriteJson(JsonObject json)
    {
        base.WriteJson(json);
        json["r1"] = R1;
        json["r2"] = R2;
        json["lora_alpha"] = LoraAlpha;
        json["update_warmup_steps"] = UpdateWarmupSteps;
        json["init_std"] = InitStd;
        json["magnitude_activation"] = MagnitudeActivation.ToString().ToLowerInvariant();
        json["sign_mode"] = SignMode.ToString().ToLowerInvariant();
    }

    internal static DualLoraConfig Read(ConfigReader r) => ReadCommon(r, new DualLoraConfig
    {
        R1 = r.Require<int>("r1"),
        R2 = r.Require<int>("r2"),
        LoraAlpha = r.Get("lora_alpha", 8.0),
        UpdateWarmupSteps = r.Get<int?>("update_warmup_steps", null),
        InitStd = r.Get("init_std", 0.02),
        MagnitudeActivation = ParseEnum<MagnitudeActivation>(r, "magnitude_activation", "relu"),
        SignMode = ParseEnum<SignMode>(r, "sign_mode", "ste"),
    });

    static T ParseEnum<T>(ConfigReader r, string field, string fallback) where T : struct, Enum
    {
        var text = r.Get(field, fallback);
        return Enum.TryParse<T>(text, ignoreCase: true, out var value)
            ? value
            : throw new PeftSharpException($"{r.Source}: field '{field}': expected one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}, got \"{text}\"");
    }
}
