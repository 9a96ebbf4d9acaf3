using PeftSharp.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Tuners;

/// <summary>
/// One named adapter's parameters on one linear-like layer, and the maths of its method: what each method's
/// folder implements (<c>LoraLayer</c>, <c>DualLoraLayer</c>, …). Parameter names of the subclass
/// (<c>lora_A.weight</c>, <c>lora_magnitude_vector</c>, …) are the names PEFT saves after the module path, so the
/// adapter file format falls out of the module tree. Methods outside this library derive from it too.
/// </summary>
public abstract class TunerLayer : nn.Module
{
    protected TunerLayer(string name) : base(name) { }

    /// <summary>
    /// The layer output with this adapter applied: W0·x + b + (the adapter's contribution), with x, the adapter's
    /// parameters and <paramref name="layer"/>'s <see cref="LinearLike.Dtype"/> all in one dtype.
    /// </summary>
    protected internal abstract Tensor Forward(LinearLike layer, Tensor x);

    /// <summary>
    /// The layer output for an input in the base layer's own dtype — what the model calls. When the adapter's dtype differs
    /// (float32 adapters over a bfloat16 or float16 model), the input is converted to it, the base layer still multiplies
    /// in its own dtype, and the sum is converted back to the input's dtype: PEFT's LoRA forward. Methods that can do
    /// better in the base dtype override it (Dual LoRA's one-matmul function).
    /// </summary>
    protected internal virtual Tensor ForwardInBaseDtype(LinearLike layer, Tensor x)
    {
        var dtype = AdapterDtype(layer);
        return dtype == x.dtype ? Forward(layer, x) : Forward(layer.As(dtype), x.to(dtype)).to(x.dtype);
    }

    /// <summary>The dtype this adapter computes in: its parameters' (the layer's when it has none).</summary>
    protected ScalarType AdapterDtype(LinearLike layer) => parameters().Select(p => p.dtype).DefaultIfEmpty(layer.Dtype).First();

    /// <summary>The dense update ΔW (d, k) in the Linear layout; W0 + ΔW is the merged weight.</summary>
    protected internal abstract Tensor DeltaWeight(LinearLike layer);

    /// <summary>The role of a parameter, by its local name, for optimizer grouping (weight decay, LoRA+).</summary>
    protected internal abstract ParameterRole RoleOf(string localName);

    /// <summary>
    /// Adds ΔW to the (d, k) weight view in place (grad mode off). The sum is formed in float32 (or wider) and rounded
    /// once to the weight's dtype, so a float32 adapter merged into a bfloat16 weight loses no more than that rounding.
    /// </summary>
    protected internal virtual void MergeInto(LinearLike layer)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weight = layer.WeightDk;
        weight.copy_(MixedPrecision.Widen(weight) + DeltaWeight(layer.As(MixedPrecision.Widened(layer.Dtype))));
    }

    /// <summary>Undoes <see cref="MergeInto"/> (grad mode off), rounded once as it is.</summary>
    protected internal virtual void UnmergeFrom(LinearLike layer)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weight = layer.WeightDk;
        weight.copy_(MixedPrecision.Widen(weight) - DeltaWeight(layer.As(MixedPrecision.Widened(layer.Dtype))));
    }

    /// <summary>The tensors saved in the adapter file, by local name (PEFT's key suffix). Default: every parameter.</summary>
    protected internal virtual IEnumerable<(string Name, Tensor Value)> SavedTensors() =>
        named_parameters().Select(p => (p.name, (Tensor)p.parameter));

    /// <summary>
    /// (A, B) with ΔW = B·A exactly, B carrying the method's scale — when the update is a plain low-rank product
    /// (LoRA, rsLoRA, AdaLoRA), so runtimes that apply LoRA themselves (llama.cpp) can hold it; null otherwise.
    /// </summary>
    protected internal virtual (Tensor Down, Tensor Up)? AsLowRank() => null;

    /// <summary>
    /// Makes the adapter compute what its saved form computes: called after training and after saved weights were
    /// copied in (Dual LoRA ends its warm-up ramp; AdaLoRA / LoRA² zero their masked λ).
    /// </summary>
    protected internal virtual void OnTrained() { }

    /// <summary>Tensors besides the parameters that training needs to resume exactly (saved in checkpoints only).</summary>
    protected internal virtual IEnumerable<(string Name, Tensor Value)> TrainingState() => [];

    /// <summary>Restores <see cref="TrainingState"/> from a checkpoint.</summary>
    protected internal virtual void LoadTrainingState(IReadOnlyDictionary<string, Tensor> state) { }

    /// <summary>Number of trainable parameters this adapter adds.</summary>
    public long TrainableParameterCount => parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    /// <summary>Applies the adapter dropout to the input of the adapter branch (identity when p = 0).</summary>
    protected static Tensor ApplyDropout(Dropout? dropout, Tensor x) => dropout is null ? x : dropout.call(x);

    protected static Dropout? MakeDropout(double p) => p > 0 ? nn.Dropout(p) : null;
}
