using PeftSharp.Models;
using PeftSharp.Tuners;
using static TorchSharp.torch;

namespace PeftSharp.Training;

/// <summary>
/// A first-order optimizer over named parameter groups whose state is plain named tensors, so a
/// checkpoint stores it exactly and resuming continues bit for bit. A trained parameter stored in bfloat16 or float16
/// (full fine-tuning of a half-precision model, its trained biases and heads) is updated through a float32 master copy
/// kept here: the gradient is converted to float32, the update applied to the master, and the master rounded back into
/// the parameter — so small updates accumulate instead of rounding away (docs/precision.md).
/// </summary>
public abstract class Optimizer : IDisposable
{
    private const string MasterSuffix = ".master_weight";
    private readonly Dictionary<string, Tensor> masters = new(); // float32 copies of half-precision parameters, by parameter name

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
            {
                if (p.Parameter.grad is not { } grad) continue;
                if (!MixedPrecision.IsHalf(p.Parameter.dtype))
                {
                    Update(p.Name, p.Parameter, grad, LearningRates[g], Groups[g].WeightDecay);
                    continue;
                }
                if (!masters.TryGetValue(p.Name, out var master))
                    masters[p.Name] = master = p.Parameter.detach().to(ScalarType.Float32).DetachFromDisposeScope();
                Update(p.Name, master, grad.to(ScalarType.Float32), LearningRates[g], Groups[g].WeightDecay);
                p.Parameter.copy_(master);
            }
    }

    /// <summary>Updates <paramref name="parameter"/> (the parameter itself, or its float32 master copy) in place; state is keyed by <paramref name="name"/>.</summary>
    protected abstract void Update(string name, Tensor parameter, Tensor grad, double lr, double weightDecay);

    public void ZeroGrad()
    {
        foreach (var g in Groups) foreach (var p in g.Parameters) p.Parameter.grad = null;
    }

    /// <summary>State tensors by "&lt;parameter name&gt;.&lt;state name&gt;": the update rule's, and the master copies (".master_weight").</summary>
    public IReadOnlyDictionary<string, Tensor> StateTensors()
    {
        var state = new Dictionary<string, Tensor>(UpdateStateTensors());
        foreach (var (name, master) in masters) state[name + MasterSuffix] = master;
        return state;
    }

    /// <summary>Restores <see cref="StateTensors"/>; a half-precision parameter without a saved master gets one from its value at its first update.</summary>
    public void LoadStateTensors(IReadOnlyDictionary<string, Tensor> state, long stepCount)
    {
        DisposeMasters();
        foreach (var group in Groups)
            foreach (var p in group.Parameters)
                if (state.TryGetValue(p.Name + MasterSuffix, out var master))
                    masters[p.Name] = master.to(ScalarType.Float32, p.Parameter.device).clone().DetachFromDisposeScope();
        LoadUpdateStateTensors(state);
        StepCount = stepCount;
    }

    /// <summary>The update rule's state by "&lt;parameter name&gt;.&lt;state name&gt;".</summary>
    protected abstract IReadOnlyDictionary<string, Tensor> UpdateStateTensors();
    protected abstract void LoadUpdateStateTensors(IReadOnlyDictionary<string, Tensor> state);

    private void DisposeMasters()
    {
        foreach (var master in masters.Values) master.Dispose();
        masters.Clear();
    }

    public virtual void Dispose() => DisposeMasters();
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

    protected override void Update(string name, Tensor param, Tensor grad, double lr, double weightDecay)
    {
        if (!state.TryGetValue(name, out var s))
            state[name] = s = (zeros_like(param).DetachFromDisposeScope(), zeros_like(param).DetachFromDisposeScope());
        if (weightDecay != 0) param.mul_(1 - lr * weightDecay);
        s.ExpAvg.mul_(beta1).add_(grad, alpha: 1 - beta1);
        s.ExpAvgSq.mul_(beta2).addcmul_(grad, grad, value: 1 - beta2);
        double biasCorrection1 = 1 - Math.Pow(beta1, StepCount);
        double biasCorrection2 = 1 - Math.Pow(beta2, StepCount);
        var denom = (s.ExpAvgSq.sqrt() / Math.Sqrt(biasCorrection2)).add_(eps);
        param.addcdiv_(s.ExpAvg, denom, value: -lr / biasCorrection1);
    }

    protected override IReadOnlyDictionary<string, Tensor> UpdateStateTensors() =>
        state.SelectMany(p => new[] { KeyValuePair.Create($"{p.Key}.exp_avg", p.Value.ExpAvg), KeyValuePair.Create($"{p.Key}.exp_avg_sq", p.Value.ExpAvgSq) })
             .ToDictionary(p => p.Key, p => p.Value);

    protected override void LoadUpdateStateTensors(IReadOnlyDictionary<string, Tensor> saved)
    {
        DisposeMoments();
        foreach (var group in Groups)
            foreach (var p in group.Parameters)
                if (saved.TryGetValue($"{p.Name}.exp_avg", out var m) && saved.TryGetValue($"{p.Name}.exp_avg_sq", out var v))
                    state[p.Name] = (m.to(p.Parameter.device).clone().DetachFromDisposeScope(), v.to(p.Parameter.device).clone().DetachFromDisposeScope());
    }

    private void DisposeMoments()
    {
        foreach (var (m, v) in state.Values) { m.Dispose(); v.Dispose(); }
        state.Clear();
    }

    public override void Dispose()
    {
        DisposeMoments();
        base.Dispose();
    }
}

/// <summary>Plain SGD (with coupled L2 weight decay, as torch.optim.SGD): p ← p − lr·(g + wd·p). Used for exactness checks.</summary>
public sealed class Sgd : Optimizer
{
    public Sgd(IReadOnlyList<ParameterGroup> groups) : base(groups) { }

    protected override void Update(string name, Tensor param, Tensor grad, double lr, double weightDecay)
    {
        var direction = weightDecay != 0 ? grad + param * weightDecay : grad;
        param.add_(direction, alpha: -lr);
    }

    protected override IReadOnlyDictionary<string, Tensor> UpdateStateTensors() => new Dictionary<string, Tensor>();
    protected override void LoadUpdateStateTensors(IReadOnlyDictionary<string, Tensor> state) { }
}
