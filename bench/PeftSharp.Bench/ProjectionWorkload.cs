using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Bench;

/// <summary>
/// one LLaMA-7B-shaped projection (bias-free 4096 × 4096 <c>q_proj</c>) on 512 tokens. Its input
/// requires a gradient, as for a projection inside a model whose earlier layers train.
/// </summary>
internal sealed class ProjectionWorkload : Workload
{
    private readonly Tensor input; // (tokens, k)

    public ProjectionWorkload(BenchSettings settings) : base(settings)
    {
        manual_seed(1);
        input = randn(settings.ProjectionTokens, settings.ProjectionSize);
    }

    private long Size => Settings.ProjectionSize;
    public override string Name => "llama-projection";
    public override string Description =>
        $"one LLaMA-7B-shaped projection ({Size} × {Size}, no bias) on {Settings.ProjectionTokens} tokens; the input requires a gradient";
    public override long LargestWeightElements => Size * Size;
    public override Tensor Input => input;
    protected override bool InputRequiresGrad => true;

    public override nn.Module<Tensor, Tensor> CreateModel()
    {
        manual_seed(0);
        return new Projection(Size);
    }

    internal sealed class Projection : nn.Module<Tensor, Tensor>
    {
#pragma warning disable IDE1006 // HF's module name
        public nn.Module<Tensor, Tensor> q_proj; // Linear (d, k); a module-typed field so an adapter can replace it
#pragma warning restore IDE1006

        public Projection(long size) : base(nameof(Projection))
        {
            q_proj = nn.Linear(size, size, hasBias: false);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => q_proj.call(x);
    }

    public override Func<Tensor, Tensor> BareForward(nn.Module<Tensor, Tensor> model, BareLinearFactory adapt)
    {
        var layer = adapt(((Linear)((Projection)model).q_proj).weight!.t(), null); // (k, d) view of the (d, k) weight
        return layer.Forward;
    }

    public override IEnumerable<Gemm> StepGemms(int? loraRank) =>
        Gemm.Linear(Settings.ProjectionTokens, Size, Size, loraRank, inputNeedsGrad: true);
}
