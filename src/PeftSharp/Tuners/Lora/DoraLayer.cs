using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Tuners.Lora;

/// <summary>
/// DoRA (Liu et al. 2024): W' = m ⊙ (W0 + s·BA) / ‖W0 + s·BA‖_row, the row norm detached in backward
/// (paper §4.3); m initialised to ‖W0‖_row so W' = W0 at init. Forward follows PEFT, which keeps the
/// base output and adds (m/‖·‖ − 1)·W0·x' + (m/‖·‖)·s·B·A·x' with x' = dropout(x); with no dropout
/// that is exactly W'·x + b. Saved as LoRA's tensors plus <c>lora_magnitude_vector</c> (d).
/// </summary>
public sealed class DoraLayer : TunerLayer
{
#pragma warning disable IDE1006 // PEFT's parameter names
    private readonly Linear lora_A;
    private readonly Linear lora_B;
    private readonly Parameter lora_magnitude_vector;
    private readonly Dropout? lora_dropout;
#pragma warning restore IDE1006
    private Tensor? mergedScale; // m / ‖W0 + sBA‖ at merge time, to invert the merge exactly

    internal DoraLayer(LinearLike layer, int r, double scaling, double dropout) : base(nameof(DoraLayer))
    {
        Rank = r;
        Scaling = scaling;
        (lora_A, lora_B) = LowRankFactors.Create(layer, r);
        using (no_grad())
            lora_magnitude_vector = new Parameter(layer.WeightDk.norm(1, keepdim: false, p: 2).detach().clone());
        lora_dropout = MakeDropout(dropout);
        RegisterComponents();
    }

    public int Rank { get; }
    public double Scaling { get; }
    internal Tensor Magnitude => lora_magnitude_vector;

    /// <summary>W0 + s·B·A (d, k).</summary>
    private Tensor CombinedWeight(LinearLike layer) => layer.WeightDk + lora_B.weight!.matmul(lora_A.weight!) * Scaling;

    /// <summary>m / ‖W0 + s·BA‖_row (d), the norm detached.</summary>
    private Tensor MagnitudeScale(LinearLike layer) => lora_magnitude_vector / CombinedWeight(layer).norm(1, keepdim: false, p: 2).detach();

    protected internal override Tensor Forward(LinearLike layer, Tensor x)
    {
        var result = layer.Forward(x);
        var dropped = ApplyDropout(lora_dropout, x);
        var scale = MagnitudeScale(layer); // (d), broadcast over the last dim of (…, d)
        var loraOut = lora_B.call(lora_A.call(dropped)) * Scaling;
        return result + (scale - 1) * nn.functional.linear(dropped, layer.WeightDk) + scale * loraOut;
    }

    protected internal override Tensor DeltaWeight(LinearLike layer)
    {
        var combined = CombinedWeight(layer);
        return MagnitudeScale(layer).unsqueeze(1) * combined - layer.WeightDk;
    }

    protected internal override void MergeInto(LinearLike layer)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var scale = MagnitudeScale(layer).detach().clone();
        layer.WeightDk.copy_(scale.unsqueeze(1) * CombinedWeight(layer));
        mergedScale = scale.DetachFromDisposeScope(); // kept until unmerge
    }

    protected internal override void UnmergeFrom(LinearLike layer)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var scale = mergedScale ?? throw new InvalidOperationException("DoRA adapter is not merged");
        // W' = scale ⊙ (W0 + sBA)  ⇒  W0 = W'/scale − sBA
        var original = layer.WeightDk / scale.unsqueeze(1) - lora_B.weight!.matmul(lora_A.weight!) * Scaling;
        layer.WeightDk.copy_(original);
        scale.Dispose();
        mergedScale = null;
    }

    protected internal override ParameterRole RoleOf(string localName) => localName switch
    {
        _ when localName.StartsWith("lora_B", StringComparison.Ordinal) => ParameterRole.Up,
        _ when localName.StartsWith("lora_magnitude_vector", StringComparison.Ordinal) => ParameterRole.Scale,
        _ => ParameterRole.Down,
    };
}
