using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Tuners.Lora;

/// <summary>
/// LoRA on one layer: h = W0·x + b + s·B·(A·dropout(x)), A (r, k) Kaiming-uniform (a = √5), B (d, r) zero,
/// so ΔW = s·B·A = 0 at init. Saved as <c>lora_A.weight</c>, <c>lora_B.weight</c>. With PEFT's <c>lora_bias</c>, B has
/// a bias b_B (zero at init): h gains s·b_B, which merging adds to the layer's bias (as PEFT does), so it needs one.
/// </summary>
public sealed class LoraLayer : TunerLayer
{
#pragma warning disable IDE1006 // PEFT's parameter names
    private readonly Linear lora_A;
    private readonly Linear lora_B;
    private readonly Dropout? lora_dropout;
#pragma warning restore IDE1006

    private readonly string modulePath; // for the merge error of a lora_bias on a layer without bias

    internal LoraLayer(LinearLike layer, int r, double scaling, double dropout, bool loraBias = false, string modulePath = "") : base(nameof(LoraLayer))
    {
        Rank = r;
        Scaling = scaling;
        this.modulePath = modulePath;
        (lora_A, lora_B) = LowRankFactors.Create(layer, r, loraBias);
        lora_dropout = MakeDropout(dropout);
        RegisterComponents();
    }

    public int Rank { get; }
    public double Scaling { get; }
    internal Tensor A => lora_A.weight!;
    internal Tensor B => lora_B.weight!;

    protected internal override Tensor Forward(LinearLike layer, Tensor x) =>
        layer.Forward(x) + lora_B.call(lora_A.call(ApplyDropout(lora_dropout, x))) * Scaling;

    protected internal override Tensor DeltaWeight(LinearLike layer) => B.matmul(A) * Scaling;

    protected internal override (Tensor Down, Tensor Up)? AsLowRank() => lora_B.bias is null ? (A.detach().clone(), B.detach() * Scaling) : null;

    protected internal override void MergeInto(LinearLike layer)
    {
        base.MergeInto(layer);
        ShiftBias(layer, +1);
    }

    protected internal override void UnmergeFrom(LinearLike layer)
    {
        base.UnmergeFrom(layer);
        ShiftBias(layer, -1);
    }

    /// <summary>Adds <paramref name="sign"/>·s·b_B to the layer's bias (nothing without lora_bias).</summary>
    private void ShiftBias(LinearLike layer, int sign)
    {
        if (lora_B.bias is not { } upBias) return;
        var bias = layer.Bias ?? throw new PeftSharpException(
            $"cannot merge the LoRA adapter of '{modulePath}': it has lora_bias but the layer has no bias to merge it into (use it unmerged)");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        bias.add_(upBias.to(bias.dtype), alpha: sign * Scaling);
    }

    /// <summary>B's bias trains like a bias (no weight decay, the base learning rate, also under LoRA+).</summary>
    protected internal override ParameterRole RoleOf(string localName) => localName switch
    {
        "lora_B.bias" => ParameterRole.BiasOrNorm,
        _ when localName.StartsWith("lora_B", StringComparison.Ordinal) => ParameterRole.Up,
        _ => ParameterRole.Down,
    };
}
