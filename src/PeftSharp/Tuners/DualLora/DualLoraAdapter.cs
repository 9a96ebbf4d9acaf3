using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Tuners.DualLora;

/// <summary>
/// Dual LoRA on one layer (paper 001 eqs. 5–9): magnitude group A (r1, k), B (d, r1); direction group
/// C (r2, k), D (d, r2); ΔW = γ · α/√(r1 r2) · act(B·A) ⊙ Sign(D·C), all four Gaussian-initialised.
/// γ is the warm-up ramp (METHODS.md): 0 at step 0, so the model is unchanged before training.
/// Saved as <c>lora_A.weight</c>, <c>lora_B.weight</c>, <c>lora_C.weight</c>, <c>lora_D.weight</c>.
/// </summary>
public sealed class DualLoraAdapter : LayerAdapter
{
#pragma warning disable IDE1006 // PEFT-style parameter names
    readonly Linear lora_A;
    readonly Linear lora_B;
    readonly Linear lora_C;
    readonly Linear lora_D;
    readonly Dropout? lora_dropout;
#pragma warning restore IDE1006

    internal DualLoraAdapter(BaseLayer layer, DualLoraConfig config) : base(nameof(DualLoraAdapter))
    {
        Config = config;
        lora_A = Factor(layer.InFeatures, config.R1, layer, config.InitStd);
        lora_B = Factor(config.R1, layer.OutFeatures, layer, config.InitStd);
        lora_C = Factor(layer.InFeatures, config.R2, layer, config.InitStd);
        lora_D = Factor(config.R2, layer.OutFeatures, layer, config.InitStd);
        lora_dropout = MakeDropout(config.LoraDropout);
        Gamma = Ramp(0, RampSteps);
        RegisterComponents();
    }

    static Linear Factor(long inFeatures, long outFeatures, BaseLayer layer, double std)
    {
        var linear = nn.Linear(inFeatures, outFeatures, hasBias: false, device: layer.Device, dtype: layer.Dtype);
        using (no_grad()) nn.init.normal_(linear.weight!, 0, std);
        return linear;
    }

    public DualLoraConfig Config { get; }

    /// <summary>The warm-up factor γ ∈ [0, 1] currently applied: γ(0) for a new adapter (0 unless the ramp is off), 1 once loaded.</summary>
    public double Gamma { get; internal set; }

    internal Tensor A => lora_A.weight!;
    internal Tensor B => lora_B.weight!;
    internal Tensor C => lora_C.weight!;
    internal Tensor D => lora_D.weight!;

    /// <summary>γ(t) = min(1, t / warm-up); warm-up 0 means no ramp.</summary>
    internal static double Ramp(long step, int warmupSteps) => warmupSteps <= 0 ? 1 : Math.Min(1.0, (double)step / warmupSteps);

    /// <summary>act(B·A), the magnitude group W_m (d, k).</summary>
    internal Tensor Magnitude() => Activate(Config.MagnitudeActivation, B.matmul(A));

    /// <summary>The binarised direction group W_d (d, k) with its straight-through gradient.</summary>
    internal Tensor Direction()
    {
        var dc = D.matmul(C);
        var sign = SignSte.apply(dc);
        return Config.SignMode switch
        {
            SignMode.Ste => sign,
            SignMode.Xnor => dc.abs().mean([1], keepdim: true) * sign,
            SignMode.Dorefa => dc.abs().mean().detach() * sign,
            _ => throw new ArgumentOutOfRangeException(nameof(Config.SignMode)),
        };
    }

    internal static Tensor Activate(MagnitudeActivation activation, Tensor x) => activation switch
    {
        MagnitudeActivation.Relu => nn.functional.relu(x),
        MagnitudeActivation.Abs => x.abs(),
        MagnitudeActivation.Sigmoid => x.sigmoid(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    internal override Tensor DeltaWeight(BaseLayer layer) => Magnitude() * Direction() * (Gamma * Config.Scaling);

    internal override Tensor Forward(BaseLayer layer, Tensor x)
    {
        if (!Config.MemoryEfficient)
            return layer.Forward(x) + nn.functional.linear(ApplyDropout(lora_dropout, x), DeltaWeight(layer));
        double scale = Gamma * Config.Scaling;
        if (lora_dropout is null || !training)
            // One matmul with W0 + γΔW: the base output and the update together (METHODS.md "Memory").
            return DualLoraFunction.apply(x, layer.WeightDk, layer.Bias!, A, B, C, D, scale, Config.MagnitudeActivation, Config.SignMode);
        // Dropout feeds the update a different input than the base layer: two products.
        return layer.Forward(x) + DualLoraFunction.apply(lora_dropout.call(x), null!, null!, A, B, C, D, scale, Config.MagnitudeActivation, Config.SignMode);
    }

    /// <summary>Steps of the γ ramp: the configured ones, or 1 when unset (the trainer sets it from the learning-rate warm-up).</summary>
    int RampSteps => Config.UpdateWarmupSteps ?? 1;

    internal override void OnTrainingStep(long step) => Gamma = Ramp(step, RampSteps);

    internal override void OnTrained() => Gamma = 1;

    internal override ParameterRole RoleOf(string localName) =>
        localName.StartsWith("lora_B", StringComparison.Ordinal) || localName.StartsWith("lora_D", StringComparison.Ordinal)
            ? ParameterRole.Up : ParameterRole.Down;
}
