using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Tuners.DualLora;

/// <summary>
/// Dual LoRA on one layer: magnitude group A (r1, k), B (d, r1); direction group C (r2, k), D (d, r2), all four
/// Gaussian-initialised; f(θ) = s · act(B·A) ⊙ Sign(D·C) with s = α/√(r1 r2). The update ramps in as
/// ΔW = f(θ) − (1 − γ)·f(θ₀), θ₀ the initial factors and γ ∈ [0, 1] the warm-up factor (docs/methods.md#dual-lora):
/// ΔW = 0 before the first update, every factor has its full gradient from the first step, and once γ = 1 the
/// update is the paper's ΔW = f(θ). Saved as <c>lora_A.weight</c>, <c>lora_B.weight</c>, <c>lora_C.weight</c>, <c>lora_D.weight</c>.
/// </summary>
public sealed class DualLoraLayer : TunerLayer
{
#pragma warning disable IDE1006 // PEFT-style parameter names
    readonly Linear lora_A;
    readonly Linear lora_B;
    readonly Linear lora_C;
    readonly Linear lora_D;
    readonly Dropout? lora_dropout;
#pragma warning restore IDE1006
    Tensor[]? initialFactors; // θ₀ = (A, B, C, D) at initialisation, kept only while γ < 1

    internal DualLoraLayer(LinearLike layer, DualLoraConfig config) : base(nameof(DualLoraLayer))
    {
        Config = config;
        lora_A = Factor(layer.InFeatures, config.R1, layer, config.InitStd);
        lora_B = Factor(config.R1, layer.OutFeatures, layer, config.InitStd);
        lora_C = Factor(layer.InFeatures, config.R2, layer, config.InitStd);
        lora_D = Factor(config.R2, layer.OutFeatures, layer, config.InitStd);
        lora_dropout = MakeDropout(config.LoraDropout);
        RegisterComponents();
        if (config.UpdateWarmupSteps == 0) Gamma = 1; // no ramp: ΔW = f(θ) from the start (the paper's ablation without warm-up)
        else initialFactors = [.. Factors.Select(f => f.detach().clone().DetachFromDisposeScope())];
    }

    static Linear Factor(long inFeatures, long outFeatures, LinearLike layer, double std)
    {
        var linear = nn.Linear(inFeatures, outFeatures, hasBias: false, device: layer.Device, dtype: layer.Dtype);
        using (no_grad()) nn.init.normal_(linear.weight!, 0, std);
        return linear;
    }

    public DualLoraConfig Config { get; }

    /// <summary>The warm-up factor γ ∈ [0, 1]: 0 for a new adapter (1 without a ramp), 1 once trained or loaded.</summary>
    public double Gamma
    {
        get;
        internal set
        {
            field = value;
            if (value >= 1) DropInitialFactors();
        }
    }

    internal Tensor A => lora_A.weight!;
    internal Tensor B => lora_B.weight!;
    internal Tensor C => lora_C.weight!;
    internal Tensor D => lora_D.weight!;
    Tensor[] Factors => [A, B, C, D];

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

    /// <summary>The scale o = −s(1 − γ) of the ramp's offset term o·f(θ₀).</summary>
    double OffsetScale => -(1 - Gamma) * Config.Scaling;

    protected internal override Tensor DeltaWeight(LinearLike layer)
    {
        var update = Magnitude() * Direction() * Config.Scaling;
        if (initialFactors is not [var a0, var b0, var c0, var d0]) return update;
        Tensor offset;
        using (no_grad()) offset = DualLoraFunction.EffectiveWeight(null, a0, b0, c0, d0, OffsetScale, Config.MagnitudeActivation, Config.SignMode); // a constant
        return update + offset;
    }

    protected internal override Tensor Forward(LinearLike layer, Tensor x)
    {
        if (!Config.MemoryEfficient)
            return layer.Forward(x) + nn.functional.linear(ApplyDropout(lora_dropout, x), DeltaWeight(layer));
        var (a0, b0, c0, d0) = initialFactors is [var ia, var ib, var ic, var id] ? (ia, ib, ic, id) : (null!, null!, null!, null!);
        if (lora_dropout is null || !training)
            // One matmul with W0 + ΔW: the base output and the update together (docs/methods.md#memory).
            return DualLoraFunction.apply(x, layer.WeightDk, layer.Bias!, A, B, C, D, a0, b0, c0, d0,
                Config.Scaling, OffsetScale, Config.MagnitudeActivation, Config.SignMode);
        // Dropout feeds the update a different input than the base layer: two products.
        return layer.Forward(x) + DualLoraFunction.apply(lora_dropout.call(x), null!, null!, A, B, C, D, a0, b0, c0, d0,
            Config.Scaling, OffsetScale, Config.MagnitudeActivation, Config.SignMode);
    }

    protected internal override void OnTrained() => Gamma = 1;

    protected internal override IEnumerable<(string Name, Tensor Value)> TrainingState() =>
        initialFactors is null ? [] : initialFactors.Select((f, i) => ($"initial_{"ABCD"[i]}", f));

    protected internal override void LoadTrainingState(IReadOnlyDictionary<string, Tensor> state)
    {
        if (initialFactors is null) return;
        using var noGrad = no_grad();
        for (int i = 0; i < initialFactors.Length; i++)
            if (state.TryGetValue($"initial_{"ABCD"[i]}", out var saved)) initialFactors[i].copy_(saved);
    }

    void DropInitialFactors()
    {
        if (initialFactors is null) return;
        foreach (var f in initialFactors) f.Dispose();
        initialFactors = null;
    }

    protected internal override ParameterRole RoleOf(string localName) =>
        localName.StartsWith("lora_B", StringComparison.Ordinal) || localName.StartsWith("lora_D", StringComparison.Ordinal)
            ? ParameterRole.Up : ParameterRole.Down;

    protected override void Dispose(bool disposing)
    {
        if (disposing) DropInitialFactors();
        base.Dispose(disposing);
    }
}
