using System.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Tuners.DualLora;

/// <summary>
/// Dual LoRA on one layer: magnitude group A (r1, k), B (d, r1); direction group C (r2, k), D (d, r2), all four
/// Gaussian-initialised; f(θ) = s · act(B·A) ⊙ W_d(D·C) with s = α/√(r1 r2). The update ramps in as
/// ΔW = f(θ) − (1 − γ)·f(θ₀), θ₀ the initial factors and γ ∈ [0, 1] the warm-up factor (docs/methods.md#dual-lora):
/// ΔW = 0 before the first update, every factor has its full gradient from the first step, and once γ = 1 the
/// update is the paper's ΔW = f(θ). Saved as <c>lora_A.weight</c>, <c>lora_B.weight</c>, <c>lora_C.weight</c>, <c>lora_D.weight</c>
/// (the fixed random direction of Table 5's setting 3 has no C and D: its ±1 matrix is rebuilt from the seed).
/// </summary>
public sealed class DualLoraLayer : TunerLayer
{
#pragma warning disable IDE1006 // PEFT-style parameter names
    private readonly Linear lora_A;
    private readonly Linear lora_B;
    private readonly Linear? lora_C;
    private readonly Linear? lora_D;
    private readonly Dropout? lora_dropout;
#pragma warning restore IDE1006
    private readonly Tensor? fixedDirection; // (d, k) ±1, only for the fixed random direction; rebuilt from the seed, never saved
    private Tensor[]? initialFactors; // θ₀ (A, B[, C, D]) at initialisation, kept only while γ < 1

    internal DualLoraLayer(LinearLike layer, DualLoraConfig config, string modulePath) : base(nameof(DualLoraLayer))
    {
        Config = config;
        lora_A = Factor(layer.InFeatures, config.R1, layer, config.InitStd);
        lora_B = Factor(config.R1, layer.OutFeatures, layer, config.InitStd);
        if (config.SignMode != SignMode.FixedRandom)
        {
            lora_C = Factor(layer.InFeatures, config.R2, layer, config.InitStd);
            lora_D = Factor(config.R2, layer.OutFeatures, layer, config.InitStd);
        }
        lora_dropout = MakeDropout(config.LoraDropout);
        RegisterComponents();
        if (config.SignMode == SignMode.FixedRandom) // after RegisterComponents: a constant, not a buffer of the state dict
            fixedDirection = RandomSigns(layer, config.DirectionSeed, modulePath);
        if (config.UpdateWarmupSteps == 0) Gamma = 1; // no ramp: ΔW = f(θ) from the start (the paper's ablation without warm-up)
        else initialFactors = [.. Factors.Select(f => f.detach().clone().DetachFromDisposeScope())];
    }

    private static Linear Factor(long inFeatures, long outFeatures, LinearLike layer, double std)
    {
        var linear = nn.Linear(inFeatures, outFeatures, hasBias: false, device: layer.Device, dtype: layer.Dtype);
        using (no_grad()) nn.init.normal_(linear.weight!, 0, std);
        return linear;
    }

    /// <summary>A ±1 matrix (d, k) drawn from a generator seeded by the seed and the module path, so loading rebuilds it exactly.</summary>
    private static Tensor RandomSigns(LinearLike layer, int seed, string modulePath)
    {
        ulong hash = 14695981039346656037UL; // FNV-1a over the path: stable across processes, unlike string.GetHashCode
        foreach (var b in Encoding.UTF8.GetBytes(modulePath)) hash = (hash ^ b) * 1099511628211UL;
        using var generator = new Generator(hash ^ (ulong)(uint)seed);
        using var bits = randint(0, 2, [layer.OutFeatures, layer.InFeatures], generator: generator);
        return bits.to(layer.Dtype).mul_(2).sub_(1).to(layer.Device).DetachFromDisposeScope();
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
    internal Tensor C => lora_C?.weight ?? throw new InvalidOperationException("the fixed random direction has no C");
    internal Tensor D => lora_D?.weight ?? throw new InvalidOperationException("the fixed random direction has no D");
    internal Tensor? FixedDirection => fixedDirection;
    private Tensor[] Factors => lora_C is null ? [A, B] : [A, B, C, D];

    /// <summary>The scale o = −s(1 − γ) of the ramp's offset term o·f(θ₀).</summary>
    private double OffsetScale => -(1 - Gamma) * Config.Scaling;

    /// <summary>f(θ) = s·act(BA) ⊙ W_d through autograd, with the paper's gradient at D·C.</summary>
    private Tensor Update()
    {
        var magnitude = DirectionRules.Activate(Config.MagnitudeActivation, B.matmul(A));
        return fixedDirection is not null
            ? magnitude * fixedDirection * Config.Scaling
            : DualLoraProduct.apply(magnitude, D.matmul(C), Config.Scaling, Config.SignMode, Config.SteClip);
    }

    /// <summary>o·f(θ₀) (d, k) while the ramp runs, else null; a constant.</summary>
    private Tensor? RampOffset()
    {
        if (initialFactors is null) return null;
        using var noGrad = no_grad();
        if (fixedDirection is not null)
        {
            using var ba = initialFactors[1].matmul(initialFactors[0]);
            return DirectionRules.Activate(Config.MagnitudeActivation, ba).mul_(fixedDirection).mul_(OffsetScale);
        }
        return DualLoraFunction.EffectiveWeight(null, initialFactors[0], initialFactors[1], initialFactors[2], initialFactors[3],
            OffsetScale, Config.MagnitudeActivation, Config.SignMode);
    }

    protected internal override Tensor DeltaWeight(LinearLike layer)
    {
        var update = Update();
        return RampOffset() is { } offset ? update + offset : update;
    }

    /// <summary>The memory-efficient function multiplies in the base layer's dtype itself (W0 + ΔW formed there); the plain path in the adapter's.</summary>
    private bool UsesFunction => Config.MemoryEfficient && fixedDirection is null;

    protected internal override Tensor ForwardInBaseDtype(LinearLike layer, Tensor x) =>
        UsesFunction ? Forward(layer, x) : base.ForwardInBaseDtype(layer, x);

    protected internal override Tensor Forward(LinearLike layer, Tensor x)
    {
        if (!UsesFunction)
            return layer.Forward(x) + nn.functional.linear(ApplyDropout(lora_dropout, x), DeltaWeight(layer));
        var (a0, b0, c0, d0) = initialFactors is [var ia, var ib, var ic, var id] ? (ia, ib, ic, id) : (null!, null!, null!, null!);
        if (lora_dropout is null || !training)
            // One matmul with W0 + ΔW: the base output and the update together (docs/methods.md#dual-lora).
            return DualLoraFunction.apply(x, layer.WeightDk, layer.Bias!, A, B, C, D, a0, b0, c0, d0,
                Config.Scaling, OffsetScale, Config.MagnitudeActivation, Config.SignMode, Config.SteClip);
        // Dropout feeds the update a different input than the base layer: two products.
        return layer.Forward(x) + DualLoraFunction.apply(lora_dropout.call(x), null!, null!, A, B, C, D, a0, b0, c0, d0,
            Config.Scaling, OffsetScale, Config.MagnitudeActivation, Config.SignMode, Config.SteClip);
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

    private void DropInitialFactors()
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
        if (disposing)
        {
            DropInitialFactors();
            fixedDirection?.Dispose();
        }
        base.Dispose(disposing);
    }
}
