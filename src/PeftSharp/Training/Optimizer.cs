using PeftSharp.Tuners;
using static TorchSharp.torch;

namespace PeftSharp.Training;

/// <summary>
/// A first-order optimizer over named parameter groups whose state is plain named tensors, so a
/// checkpoint stores it exactly and resuming continues bit for bit.
/// </summary>
public abstract class Optimizer : IDisposable
{
    protected Optimizer(IReadOnlyList<ParameterGroup> groups)
    {
        Groups = groups;
        BaseLearningRates = groups.Select(g => g.LearningRate).ToArray();
        LearningRates = BaseLearningRates.ToArray();
    }

    public IReadOnlyList<ParameterGroup> Groups { get; }
    /// <summary>Each group's learning rate before the schedule multiplier.</summary>
    public IReadOnlyList<double> BaseLearningRates { get; }
    /// <summary>Each group's current learning rate.</summary>
    public double[] LearningRates { get; }
    /// <summary>Number of updates taken.</summary>
    public long StepCount { get; protected set; }

    /// <summary>Sets every group's learning rate to its base rate × <paramref name="multiplier"/>.</summary>
    public void ScaleLearningRates(double multiplier)
    {
        for (int i = 0; i < LearningRates.Length; i++) LearningRates[i] = BaseLearningRates[i] * multiplier;
    }

    /// <summary>One update from the accumulated gradients (grad mode off inside).</summary>
    public void Step()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        StepCount++;
        for (int g = 0; g < Groups.Count; g++)
            foreach (var p in Groups[g].Parameters)
                if (p.Parameter.grad is { } grad) Update(p, grad, LearningRates[g], Groups[g].WeightDecay);
    }

    protected abstract void Update(TrainableParameter p, Tensor grad, double lr, double weightDecay);

    public void ZeroGrad()
    {
        foreach (var g in Groups) foreach (var p in g.Parameters) p.Parameter.grad = null;
    }

    /// <summary>State tensors by "&lt;parameter name&gt;.&lt;state name&gt;".</summary>
    public abstract IReadOnlyDictionary<string, Tensor> StateTensors();
    public abstract void LoadStateTensors(IReadOnlyDictionary<string, Tensor> state, long stepCount);

    public virtual void Dispose() { }
}

/// <summary>AdamW (Loshchilov &amp; Hutter): Adam with decoupled weight decay p ← p − lr·wd·p, as torch.optim.AdamW.</summary>
public sealed class AdamW : Optimizer
{
    private readonly double beta1, beta2, eps;
    private readonly Dictionary<string, (Tensor ExpAvg, Tensor ExpAvgSq)> state = new();

    public AdamW(IReadOnlyList<ParameterGroup> groups, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8) : base(groups)
    {
        (this.beta1, this.beta2, this.eps) = (beta1, beta2, eps);
    }

    protected override void Update(TrainableParameter p, Tensor grad, double lr, double weightDecay)
    {
        if (!state.TryGetValue(p.Name, out var s))
            state[p.Name] = s = (zeros_like(p.Parameter).DetachFromDisposeScope(), zeros_like(p.Parameter).DetachFromDisposeScope());
        var param = p.Parameter;
        if (weightDecay != 0) param.mul_(1 - lr * weightDecay);
        s.ExpAvg.mul_(beta1).add_(grad, alpha: 1 - beta1);
        s.ExpAvgSq.mul_(beta2).addcmul_(grad, grad, value: 1 - beta2);
        double biasCorrection1 = 1 - Math.Pow(beta1, StepCount);
        double biasCorrection2 = 1 - Math.Pow(beta2, StepCount);
        var denom = (s.ExpAvgSq.sqrt() / Math.Sqrt(biasCorrection2)).add_(eps);
        param.addcdiv_(s.ExpAvg, denom, value: -lr / biasCorrection1);
    }

    public override IReadOnlyDictionary<string, Tensor> StateTensors() =>
        state.SelectMany(p => new[] { KeyValuePair.Create($"{p.Key}.exp_avg", p.Value.ExpAvg), KeyValuePair.Create($"{p.Key}.exp_avg_sq", p.Value.ExpAvgSq) })
             .ToDictionary(p => p.Key, p => p.Value);

    public override void LoadStateTensors(IReadOnlyDictionary<string, Tensor> saved, long stepCount)
    {
        Dispose();
        foreach (var group in Groups)
            foreach (var p in group.Parameters)
                if (saved.TryGetValue($"{p.Name}.exp_avg", out var m) && saved.TryGetValue($"{p.Name}.exp_avg_sq", out var v))
                    state[p.Name] = (m.to(p.Parameter.device).clone().DetachFromDisposeScope(), v.to(p.Parameter.device).clone().DetachFromDisposeScope());
        StepCount = stepCount;
    }

    public override void Dispose()
    {
        foreach (var (m, v) in state.Values) { m.Dispose(); v.Dispose(); }
        state.Clear();
    }
}

/// <summary>Plain SGD (with coupled L2 weight decay, as torch.optim.SGD): p ← p − lr·(g + wd·p). Used for exactness checks.</summary>
public sealed class Sgd : Optimizer
{
    public Sgd(IReadOnlyList<ParameterGroup> groups) : base(groups) { }

    protected override void Update(TrainableParameter p, Tensor grad, double lr, double weightDecay)
    {
        var direction = weightDecay != 0 ? grad + p.Parameter * weightDecay : grad;
        p.Parameter.add_(direction, alpha: -lr);
    }

    public override IReadOnlyDictionary<string, Tensor> StateTensors() => new Dictionary<string, Tensor>();
    public override void LoadStateTensors(IReadOnlyDictionary<string, Tensor> state, long stepCount) => StepCount = stepCount;
}
