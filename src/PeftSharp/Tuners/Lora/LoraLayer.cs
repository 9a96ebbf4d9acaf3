using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Tuners.Lora;

/// <summary>
/// LoRA on one layer: h = W0·x + b + s·B·(A·dropout(x)), A (r, k) Kaiming-uniform (a = √5), B (d, r) zero,
/// so ΔW = s·B·A = 0 at init. Saved as <c>lora_A.weight</c>, <c>lora_B.weight</c>.
/// </summary>
public sealed class LoraLayer : TunerLayer
{
#pragma warning disable IDE1006 // PEFT's parameter names
    readonly Linear lora_A;
    readonly Linear lora_B;
    readonly Dropout? lora_dropout;
#pragma warning restore IDE1006

    internal LoraLayer(LinearLike layer, int r, double scaling, double dropout) : base(nameof(LoraLayer))
    {
        Rank = r;
        Scaling = scaling;
        (lora_A, lora_B) = LowRankFactors.Create(layer, r);
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

    protected internal override (Tensor Down, Tensor Up)? AsLowRank() => (A.detach().clone(), B.detach() * Scaling);

    protected internal override ParameterRole RoleOf(string localName) =>
        localName.StartsWith("lora_B", StringComparison.Ordinal) ? ParameterRole.Up : ParameterRole.Down;
}
