using System.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PeftSharp.Bench;

/// <summary>Builds the bare adapted layer for a frozen weight (in, out) and bias (or null).</summary>
internal delegate BareLinear BareLinearFactory(Tensor weight, Tensor? bias);

/// <summary>A frozen linear layer y = x·W + b (W stored (in, out), as GPT-2 does) with an adapter, in bare tensor ops.</summary>
internal abstract class BareLinear(Tensor weight, Tensor? bias)
{
    protected Tensor Weight => weight; // (k, d)
    protected Tensor? Bias => bias;    // (d)
    public abstract IEnumerable<Parameter> Parameters { get; }

    /// <summary>x (…, k) → (…, d).</summary>
    public Tensor Forward(Tensor x) => Forward2d(x.reshape(-1, weight.shape[0])).view([.. x.shape[..^1], weight.shape[1]]);

    protected abstract Tensor Forward2d(Tensor x); // (N, k) → (N, d)

    protected Tensor Base(Tensor x) => bias is null ? x.mm(weight) : addmm(bias, x, weight, beta: 1, alpha: 1);

    protected static Parameter Normal(long rows, long columns) => new(empty(rows, columns).normal_(0, 0.02));
}

/// <summary>LoRA: x·W + b + s·(x·Aᵀ)·Bᵀ, A (r, k) Kaiming-uniform, B (d, r) zero, s = α/r.</summary>
internal sealed class BareLora : BareLinear
{
    private readonly Parameter a, b;
    private readonly double scaling;

    public BareLora(Tensor weight, Tensor? bias, int r, double alpha) : base(weight, bias)
    {
        a = new Parameter(empty(r, weight.shape[0]));
        b = new Parameter(zeros(weight.shape[1], r));
        using (no_grad()) nn.init.kaiming_uniform_(a, a: Math.Sqrt(5));
        scaling = alpha / r;
    }

    public override IEnumerable<Parameter> Parameters => [a, b];
    protected override Tensor Forward2d(Tensor x) => Base(x) + x.mm(a.t()).mm(b.t()) * scaling;
}

/// <summary>
/// Dual LoRA written the obvious way: x·(W0 + s·ReLU(B·A) ⊙ Sign(D·C))ᵀ + b with a clipped straight-through Sign, left
/// to autograd (it keeps the d×k intermediates alive until backward). A, B, C, D ~ N(0, 0.02), s = α/√(r1·r2).
/// </summary>
internal sealed class BareDualLora : BareLinear
{
    private readonly Parameter a, b, c, d;
    private readonly double scaling;

    public BareDualLora(Tensor weight, Tensor? bias, int r1, int r2, double alpha) : base(weight, bias)
    {
        long k = weight.shape[0], dOut = weight.shape[1];
        (a, b, c, d) = (Normal(r1, k), Normal(dOut, r1), Normal(r2, k), Normal(dOut, r2));
        scaling = alpha / Math.Sqrt(r1 * r2);
    }

    public override IEnumerable<Parameter> Parameters => [a, b, c, d];

    protected override Tensor Forward2d(Tensor x)
    {
        var delta = F.relu(b.mm(a)) * SignSte.apply(d.mm(c)) * scaling; // (d, k)
        return F.linear(x, Weight.t() + delta, Bias);
    }

    /// <summary>Sign (Sign(0) = −1) whose gradient is the incoming one clipped to [−1, 1].</summary>
    private sealed class SignSte : autograd.SingleTensorFunction<SignSte>
    {
        public override string Name => "BareSignSte";
        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars) => Sign((Tensor)vars[0]);
        private static Tensor Sign(Tensor x) => x.gt(0).to(x.dtype) * 2 - 1;
        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad) => [grad.clamp(-1, 1)];
    }
}

/// <summary>
/// Framework overhead: the LoRA and Dual LoRA steps written with bare TorchSharp ops — the workload's
/// forward on its frozen weights, adapter factors as plain parameters, TorchSharp's own AdamW — timed interleaved
/// with PeftSharp's step on the same shapes and loss.
/// </summary>
internal sealed class BareStep : IDisposable
{
    private readonly Workload workload;
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly Func<Tensor, Tensor> forward;
    private readonly List<BareLinear> layers = new();
    private readonly optim.Optimizer optimizer;

    public BareStep(Workload workload, Func<Tensor, Tensor?, BareLinear> adapter)
    {
        this.workload = workload;
        model = workload.CreateModel();
        foreach (var p in model.parameters()) p.requires_grad = false;
        forward = workload.BareForward(model, (weight, bias) =>
        {
            var layer = adapter(weight, bias);
            layers.Add(layer);
            return layer;
        });
        optimizer = optim.AdamW(layers.SelectMany(l => l.Parameters), lr: TrainingStep.LearningRate, weight_decay: 0);
    }

    public void Run()
    {
        using (var scope = NewDisposeScope())
        {
            workload.Loss(forward).backward();
            optimizer.step();
        }
        optimizer.zero_grad();
    }

    public void Dispose()
    {
        optimizer.Dispose();
        foreach (var p in layers.SelectMany(l => l.Parameters)) p.Dispose();
        model.Dispose();
    }

    /// <summary>Each bare step with the PeftSharp methods it is compared with.</summary>
    private static readonly (string Bare, Func<Tensor, Tensor?, BareLinear> Adapter, Method[] Methods)[] Comparisons =
    [
        ("bare LoRA", (w, b) => new BareLora(w, b, r: 8, alpha: 16), [Method.Lora]),
        ("bare Dual LoRA", (w, b) => new BareDualLora(w, b, r1: 4, r2: 4, alpha: 16), [Method.DualLora, Method.DualLoraNaive]),
    ];

    public static string Report(BenchSettings settings)
    {
        var text = new StringBuilder();
        text.AppendLine("## Framework overhead: PeftSharp step / bare TorchSharp step").AppendLine();
        text.AppendLine("The bare steps use no PeftSharp layer, optimizer or trainer: the workload's forward pass in `torch.nn.functional` ops on the " +
                        "frozen weights, the adapter factors as plain `Parameter`s (LoRA x·W + b + s·(x·Aᵀ)·Bᵀ; Dual LoRA x·(W0 + s·ReLU(BA) ⊙ Sign(DC))ᵀ + b " +
                        "with a clipped straight-through Sign as a TorchSharp autograd function), TorchSharp's `optim.AdamW`, the same loss and shapes. " +
                        $"Each PeftSharp step is timed interleaved with its bare step; median of {settings.Repetitions} after {settings.Warmup} warm-up.").AppendLine();
        var rows = new List<string[]>();
        var targets = new List<string>();
        foreach (var workload in Workload.Create(settings))
            using (workload)
                foreach (var (bareName, adapter, methods) in Comparisons)
                {
                    Progress.Log($"overhead: {workload.Name}, {bareName} vs {string.Join(", ", methods.Select(m => m.Label))}");
                    using var bare = new BareStep(workload, adapter);
                    var steps = methods.Select(m => new TrainingStep(workload, m)).ToList();
                    try
                    {
                        var ms = Measure.MedianMilliseconds([bare.Run, .. steps.Select(s => (Action)s.Run)], settings.Warmup, settings.Repetitions);
                        for (int i = 0; i < methods.Length; i++)
                        {
                            double ratio = ms[i + 1] / ms[0];
                            rows.Add([workload.Name, methods[i].Label, Markdown.Number(ms[i + 1], 1), bareName, Markdown.Number(ms[0], 1), Markdown.Ratio(ratio)]);
                            if (methods[i] == Method.Lora && workload is Gpt2StackWorkload)
                                targets.Add(Markdown.Target("LoRA step ≤ 1.05× the bare-op step (GPT-2 stack)", ratio <= 1.05,
                                    $"{Markdown.Ratio(ratio)}: {Markdown.Number(ms[i + 1], 1)} ms vs {Markdown.Number(ms[0], 1)} ms"));
                        }
                    }
                    finally
                    {
                        foreach (var s in steps) s.Dispose();
                    }
                }
        text.Append(Markdown.Table(["workload", "PeftSharp method", "step (ms)", "bare step", "bare (ms)", "PeftSharp / bare"], rows));
        text.AppendLine();
        foreach (var t in targets) text.AppendLine(t);
        text.AppendLine("- Dual LoRA (naive) computes the base output and the update as two products (x·W0ᵀ + x·ΔWᵀ), the bare step folds them into one; " +
                        "Dual LoRA (efficient) folds them too and recomputes B·A and D·C in backward instead of keeping them.");
        return text.AppendLine().ToString();
    }
}
