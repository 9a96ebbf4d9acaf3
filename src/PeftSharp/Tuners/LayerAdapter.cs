using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Tuners;

/// <summary>
/// One named adapter's parameters on one linear-like layer, and the math of its method.
/// Parameter names of the subclass (<c>lora_A.weight</c>, <c>lora_magnitude_vector</c>, ...) are the
/// names PEFT saves after the module path, so the adapter file format falls out of the module tree.
/// </summary>
public abstract class LayerAdapter : nn.Module
{
    protected LayerAdapter(string name) : base(name) { }

    /// <summary>The layer output with this adapter applied: W0·x + b + (adapter's contribution).</summary>
    internal abstract Tensor Forward(BaseLayer layer, Tensor x);

    /// <summary>The dense update ΔW (d, k) in the Linear layout; W0 + ΔW is the merged weight.</summary>
    internal abstract Tensor DeltaWeight(BaseLayer layer);

    /// <summary>The role of a parameter, by its local name, for optimizer grouping.</summary>
    internal abstract ParameterRole RoleOf(string localName);

    /// <summary>Adds ΔW to the (d, k) weight view in place (grad mode off).</summary>
    internal virtual void MergeInto(BaseLayer layer)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        layer.WeightDk.add_(DeltaWeight(layer).to(layer.Dtype));
    }

    /// <summary>Undoes <see cref="MergeInto"/> (grad mode off).</summary>
    internal virtual void UnmergeFrom(BaseLayer layer)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        layer.WeightDk.sub_(DeltaWeight(layer).to(layer.Dtype));
    }

    /// <summary>The tensors saved in the adapter file, by local name (PEFT's key suffix). Default: every parameter.</summary>
    internal virtual IEnumerable<(string Name, Tensor Value)> SavedTensors() => named_parameters().Select(p => (p.name, (Tensor)p.parameter));

    /// <summary>Called by the trainer with the number of optimizer steps taken so far.</summary>
    internal virtual void OnTrainingStep(long step) { }

    /// <summary>Called when the adapter is a trained one — after training, or after saved weights were copied in (Dual LoRA: γ = 1; LoRA²/AdaLoRA: masked λ = 0).</summary>
    internal virtual void OnTrained() { }

    /// <summary>Number of trainable parameters this adapter adds.</summary>
    public long TrainableParameterCount => parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    /// <summary>Applies the adapter dropout to the input of the adapter branch (identity when p = 0).</summary>
    protected static Tensor ApplyDropout(Dropout? dropout, Tensor x) => dropout is null ? x : dropout.call(x);

    protected static Dropout? MakeDropout(double p) => p > 0 ? nn.Dropout(p) : null;
}
