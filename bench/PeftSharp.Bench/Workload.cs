using static TorchSharp.torch;

namespace PeftSharp.Bench;

/// <summary>
/// A shape the step benchmarks train on: its model (the same weights on every call), its input, the loss every method
/// and the bare steps share (mean(y²), no data loading), the same computation written with bare tensor ops, and the
/// step's matrix products counted analytically.
/// </summary>
internal abstract class Workload : IDisposable
{
    protected Workload(BenchSettings settings) => Settings = settings;

    protected BenchSettings Settings { get; }
    public abstract string Name { get; }
    /// <summary>One line for the report: what is trained, on which shapes.</summary>
    public abstract string Description { get; }
    /// <summary>Elements d × k of the largest adapted weight.</summary>
    public abstract long LargestWeightElements { get; }

    /// <summary>A fresh model, seeded so every call has the same weights; every parameter trainable.</summary>
    public abstract nn.Module<Tensor, Tensor> CreateModel();

    /// <summary>The step's input, made once; it never requires a gradient itself (see <see cref="Loss"/>).</summary>
    public abstract Tensor Input { get; }

    /// <summary>Whether the input needs a gradient, as a layer inside a model whose earlier layers train.</summary>
    protected virtual bool InputRequiresGrad => false;

    /// <summary>
    /// mean(y²) of <paramref name="forward"/> on the input converted to the model's <paramref name="dtype"/>, the loss in
    /// float32 (as PeftSharp's losses are); inside a dispose scope.
    /// </summary>
    public Tensor Loss(Func<Tensor, Tensor> forward, ScalarType dtype = ScalarType.Float32)
    {
        var input = Input.to(dtype);
        return forward(InputRequiresGrad ? input.detach().requires_grad_(true) : input).to(ScalarType.Float32).pow(2).mean();
    }

    /// <summary>
    /// The forward pass of <paramref name="model"/> written with bare tensor ops on its (frozen) weights, every
    /// adapted layer built by <paramref name="adapt"/> from its weight (in, out) and bias.
    /// </summary>
    public abstract Func<Tensor, Tensor> BareForward(nn.Module<Tensor, Tensor> model, BareLinearFactory adapt);

    /// <summary>The matrix products of one training step: LoRA of rank <paramref name="loraRank"/>, or full fine-tuning when null.</summary>
    public abstract IEnumerable<Gemm> StepGemms(int? loraRank);

    public static IReadOnlyList<Workload> Create(BenchSettings settings) => [new Gpt2StackWorkload(settings), new ProjectionWorkload(settings)];

    public void Dispose() => Input.Dispose();
}
