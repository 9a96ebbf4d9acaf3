using static TorchSharp.torch;

namespace PeftSharp.Tuners.RankAllocation;

/// <summary>
/// Importance-driven rank allocation shared by AdaLoRA and LoRA² (docs/methods.md#adalora): sensitivity
/// s(w) = |w·∂L/∂w| smoothed by two EMAs (β1, β2), importance of triplet i = score(λ_i) plus the mean scores of
/// the slices attached to i (which slices is the method's strategy, <see cref="IRankAdaptive.ScoredParameters"/>),
/// and masking of the least important λ beyond the scheduled budget. The <see cref="PeftModel"/> owns it and runs
/// <see cref="Step"/> from <see cref="PeftModel.AfterOptimizerStep"/>, after the optimizer step and before gradients are zeroed.
/// </summary>
internal sealed class RankAllocator : ITrainingSchedule
{
    private readonly IReadOnlyList<(string Path, IRankAdaptive Adapter)> layers;
    private readonly double beta1, beta2;
    private readonly Dictionary<string, (Tensor Importance, Tensor Uncertainty)> ema = new();

    internal RankAllocator(IReadOnlyList<(string Path, IRankAdaptive Adapter)> layers, RankAdaptiveConfig config)
    {
        if (layers.Count == 0) throw new PeftSharpException("rank allocation needs at least one adapted layer");
        int totalStep = config.TotalStep
            ?? throw new InvalidOptionException($"{config.PeftType} config", "total_step", "the number of optimizer steps of the run, to schedule rank allocation (PeftSharp's trainer fills it in)", null);
        this.layers = layers;
        beta1 = config.Beta1;
        beta2 = config.Beta2;
        Schedule = new BudgetSchedule(
            InitialBudget: layers.Sum(l => l.Adapter.Rank),
            TargetBudget: config.EffectiveTargetR * layers.Count,
            config.EffectiveTinit(totalStep), config.EffectiveTfinal(totalStep), totalStep, config.DeltaT);
    }

    public BudgetSchedule Schedule { get; }
    /// <summary>True after T − tfinal: the mask no longer changes.</summary>
    public bool Frozen { get; private set; }

    /// <summary>Number of triplets currently kept across all layers.</summary>
    public int ActiveTriplets => layers.Sum(l => l.Adapter.Mask.Count(m => m));

    /// <summary>Scalars whose sensitivity one update computes (AdaLoRA: all of P, Λ, Q; LoRA²: only λ, A1, B2).</summary>
    public long ScoredParameterCount => layers.Sum(l => l.Adapter.ScoredParameters.Sum(p => p.Parameter.numel()));

    /// <summary>One allocator update at optimizer step <paramref name="step"/> (0-based count of steps taken before this one).</summary>
    public void Step(long step)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        if (step < Schedule.FreezeStep)
        {
            UpdateImportance();
            var (budget, mask) = Schedule.At(step);
            if (mask) MaskToBudget(budget);
        }
        else if (!Frozen)
        {
            // t = T − tfinal: the final mask from the averages of the earlier steps, without this step's sensitivity
            // (PEFT's update_and_allocate and the LoRA² release both stop scoring at T − tfinal), then it freezes.
            MaskToBudget(Schedule.TargetBudget);
            Frozen = true;
            ClearImportance();
        }
        else
        {
            foreach (var (_, adapter) in layers) ApplyMask(adapter);
        }
    }

    private void UpdateImportance()
    {
        foreach (var (path, adapter) in layers)
            foreach (var (name, p, _) in adapter.ScoredParameters)
            {
                if (p.grad is not { } grad) continue;
                var key = $"{path}.{name}";
                if (!ema.TryGetValue(key, out var state))
                    ema[key] = state = (zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope());
                var sensitivity = (p * grad).abs();
                state.Importance.mul_(beta1).add_(sensitivity, alpha: 1 - beta1);
                state.Uncertainty.mul_(beta2).add_((sensitivity - state.Importance).abs(), alpha: 1 - beta2);
            }
    }

    /// <summary>Importance of each triplet of a layer (r), from the current EMAs.</summary>
    internal Tensor TripletImportance(string path, IRankAdaptive adapter)
    {
        Tensor total = zeros(adapter.Rank, dtype: ScalarType.Float64);
        foreach (var (name, p, axis) in adapter.ScoredParameters)
        {
            if (!ema.TryGetValue($"{path}.{name}", out var state)) continue;
            var score = (state.Importance * state.Uncertainty).to(ScalarType.Float64).cpu();
            total += axis switch
            {
                TripletAxis.Element => score.reshape(-1),
                TripletAxis.Row => score.mean([1]),
                TripletAxis.Column => score.mean([0]),
                _ => throw new ArgumentOutOfRangeException(nameof(axis)),
            };
        }
        return total;
    }

    /// <summary>
    /// Keeps exactly <paramref name="budget"/> triplets: the (b0 − budget) least important λ across all layers are
    /// masked. Ties are broken by layer order, then index, so exactly budget stay active (the ≤-threshold rule of
    /// the reference code can mask more on ties).
    /// </summary>
    private void MaskToBudget(int budget)
    {
        var candidates = new List<(double Importance, int Layer, int Index)>();
        for (int l = 0; l < layers.Count; l++)
        {
            var importance = TripletImportance(layers[l].Path, layers[l].Adapter).data<double>().ToArray();
            for (int i = 0; i < importance.Length; i++) candidates.Add((importance[i], l, i));
        }
        int toMask = Math.Max(0, candidates.Count - budget);
        var masked = candidates.OrderBy(c => c.Importance).ThenBy(c => c.Layer).ThenBy(c => c.Index)
            .Take(toMask).Select(c => (c.Layer, c.Index)).ToHashSet();
        for (int l = 0; l < layers.Count; l++)
        {
            var adapter = layers[l].Adapter;
            adapter.Mask = Enumerable.Range(0, adapter.Rank).Select(i => !masked.Contains((l, i))).ToArray();
            ApplyMask(adapter);
        }
    }

    /// <summary>Sets the masked λ entries to 0.</summary>
    internal static void ApplyMask(IRankAdaptive adapter)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad(); // λ is a trainable leaf: the in-place fill is not part of the graph
        var keep = tensor(adapter.Mask, device: adapter.Lambda.device).reshape(adapter.Lambda.shape);
        adapter.Lambda.masked_fill_(keep.logical_not(), 0);
    }

    private void ClearImportance()
    {
        foreach (var (importance, uncertainty) in ema.Values) { importance.Dispose(); uncertainty.Dispose(); }
        ema.Clear();
    }

    /// <summary>The allocator's state for a checkpoint: EMAs as tensors, masks and the frozen flag as metadata.</summary>
    public (IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Values) SaveState() => (
        ema.SelectMany(p => new[] { KeyValuePair.Create($"{p.Key}.importance", p.Value.Importance), KeyValuePair.Create($"{p.Key}.uncertainty", p.Value.Uncertainty) })
           .ToDictionary(p => p.Key, p => p.Value),
        new Dictionary<string, string>
        {
            ["masks"] = System.Text.Json.JsonSerializer.Serialize(layers.ToDictionary(l => l.Path, l => l.Adapter.Mask)),
            ["frozen"] = Frozen ? "true" : "false",
        });

    public void LoadState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> values)
    {
        ClearImportance();
        foreach (var key in tensors.Keys.Where(k => k.EndsWith(".importance", StringComparison.Ordinal)))
        {
            var name = key[..^".importance".Length];
            ema[name] = (tensors[key].clone().DetachFromDisposeScope(), tensors[$"{name}.uncertainty"].clone().DetachFromDisposeScope());
        }
        var masks = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, bool[]>>(values["masks"])!;
        foreach (var (path, adapter) in layers)
            if (masks.TryGetValue(path, out var mask)) adapter.Mask = mask.ToArray();
        Frozen = values["frozen"] == "true";
    }

    /// <summary>The masks and EMAs come from <see cref="LoadState"/>; nothing depends on the step count alone.</summary>
    public void Seek(long stepsTaken) { }

    public void AfterOptimizerStep(long step) => Step(step);

    public void Dispose() => ClearImportance();
}
