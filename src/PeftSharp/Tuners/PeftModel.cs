using System.Globalization;
using PeftSharp.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Tuners;

/// <summary>
/// Wraps a TorchSharp model with one or more named adapters (PEFT's PeftModel): injects adapter layers
/// into the target modules, freezes everything else, and merges, disables, switches, saves and loads adapters.
/// The wrapped model is modified in place; call it as usual.
/// </summary>
public sealed class PeftModel : IDisposable
{
    public const string DefaultAdapterName = "default";

    private readonly Dictionary<string, AdapterConfig> configs = new();
    private readonly Dictionary<string, LayerWithAdapters> layers = new(); // module path → layer (paths of the original model)
    private readonly Dictionary<string, ModulesToSave> savedModules = new();
    private ITrainingSchedule? schedule; // the active adapter's, created on first use

    private PeftModel(nn.Module model, bool adapterInBaseDtype) => (Model, AdapterInBaseDtype) = (model, adapterInBaseDtype);

    /// <summary>The wrapped model (adapter layers inside).</summary>
    public nn.Module Model { get; }
    public string ActiveAdapter { get; private set; } = DefaultAdapterName;
    public AdapterConfig ActiveConfig => configs[ActiveAdapter];
    public IReadOnlyDictionary<string, AdapterConfig> Configs => configs;
    /// <summary>Adapted layers by module path (the path of the original layer in the model).</summary>
    public IReadOnlyDictionary<string, LayerWithAdapters> Layers => layers;

    /// <summary>
    /// False (the default, PEFT's <c>autocast_adapter_dtype=True</c>): adapters over a bfloat16 or float16 model are
    /// created in float32 and compute in float32; true: in the model's dtype (then the optimizer keeps float32 master
    /// copies of them). Float32 and float64 models are unaffected.
    /// </summary>
    public bool AdapterInBaseDtype { get; }

    /// <summary>Optimizer steps taken by the active adapter (counted by <see cref="AfterOptimizerStep"/>).</summary>
    public long TrainingSteps { get; private set; }

    /// <summary>
    /// Injects an adapter named <paramref name="adapterName"/> built from <paramref name="config"/> and makes it the trainable,
    /// active one. <paramref name="adapterInBaseDtype"/>: see <see cref="AdapterInBaseDtype"/>.
    /// </summary>
    public static PeftModel Create(nn.Module model, AdapterConfig config, string adapterName = DefaultAdapterName, bool adapterInBaseDtype = false)
    {
        var peft = new PeftModel(model, adapterInBaseDtype);
        peft.AddAdapter(adapterName, config);
        peft.SetAdapter(adapterName);
        return peft;
    }

    /// <summary>Adds another adapter (inactive until <see cref="SetAdapter"/>).</summary>
    public void AddAdapter(string adapterName, AdapterConfig config)
    {
        AdapterNames.Validate(adapterName);
        if (configs.ContainsKey(adapterName)) throw new PeftSharpException($"an adapter named '{adapterName}' already exists");
        config = config with { TargetModules = config.TargetModules ?? TargetModules.AllLinear };
        config.Validate();
        if (configs.Count > 0 && configs.Values.First().PeftType != config.PeftType)
            throw new PeftSharpException($"cannot mix adapter types in one model: '{configs.Keys.First()}' is {configs.Values.First().PeftType}, '{adapterName}' is {config.PeftType}");
        var targets = TargetSelector.Select(Model, config, layers.Keys);
        AdapterSize.Require(Model, config, adapterName, targets);
        foreach (var path in targets)
        {
            if (!layers.TryGetValue(path, out var layer))
            {
                var original = (nn.Module<Tensor, Tensor>)ModuleTree.Get(Model, path);
                layer = new LayerWithAdapters(original);
                ModuleTree.Replace(Model, path, layer);
                layers[path] = layer;
            }
            layer.AddAdapter(adapterName, config.CreateLayer(layer.Base.As(AdapterDtype(layer.Base.Dtype)), path));
        }
        foreach (var match in ModulesToSaveOf(config))
        {
            if (savedModules.TryGetValue(match, out var saved)) saved.Adapters.Add(adapterName);
            else savedModules[match] = new ModulesToSave(match, ModuleTree.Get(Model, match), adapterName);
        }
        configs[adapterName] = config;
        if (configs.Count == 1) ActiveAdapter = adapterName;
        ApplyTrainability();
    }

    /// <summary>
    /// The modules <c>modules_to_save</c> names. Names the model lacks are skipped, as PEFT does (its SEQ_CLS adapters
    /// list both "classifier" and "score"); a list that names no module at all is an error.
    /// </summary>
    private IReadOnlyList<string> ModulesToSaveOf(AdapterConfig config)
    {
        if (config.ModulesToSave is not { Count: > 0 } names) return [];
        var matches = names.SelectMany(name => TargetSelector.ModulesNamed(Model, name, layers.Keys)).Distinct().ToList();
        if (matches.Count == 0)
            throw new PeftSharpException($"modules_to_save: the model has no module named {string.Join(" or ", names.Distinct().Select(n => $"'{n}'"))}");
        return matches;
    }

    /// <summary>The dtype of adapters on a layer of <paramref name="baseDtype"/>: float32 over half-precision weights unless <see cref="AdapterInBaseDtype"/>.</summary>
    private ScalarType AdapterDtype(ScalarType baseDtype) => AdapterInBaseDtype ? baseDtype : MixedPrecision.Widened(baseDtype);

    /// <summary>Saves every adapter in PEFT's format: the default one in <paramref name="directory"/>, others in subfolders named after them.</summary>
    public void Save(string directory) => AdapterFormat.Save(this, directory);

    /// <summary>Loads a saved adapter into <paramref name="model"/> (frozen for inference unless <paramref name="isTrainable"/>).</summary>
    public static PeftModel Load(nn.Module model, string directory, string adapterName = DefaultAdapterName, bool isTrainable = false, Action<string>? warn = null) =>
        AdapterFormat.Load(model, directory, adapterName, isTrainable, warn);

    /// <summary>Adds a saved adapter under <paramref name="adapterName"/>.</summary>
    public void LoadAdapter(string directory, string adapterName, Action<string>? warn = null) =>
        AdapterFormat.LoadAdapter(this, directory, adapterName, warn);

    /// <summary>Makes <paramref name="adapterName"/> the active adapter: the one applied in forward and trained.</summary>
    public void SetAdapter(string adapterName)
    {
        RequireAdapter(adapterName);
        if (adapterName != ActiveAdapter) ResetTraining();
        ActiveAdapter = adapterName;
        foreach (var layer in layers.Values) layer.ActiveAdapter = layer.HasAdapter(adapterName) ? adapterName : null;
        foreach (var saved in savedModules.Values) saved.Activate(adapterName);
        ApplyTrainability();
    }

    public void DeleteAdapter(string adapterName)
    {
        RequireAdapter(adapterName);
        foreach (var (path, layer) in layers.ToList())
        {
            if (!layer.HasAdapter(adapterName)) continue;
            layer.DeleteAdapter(adapterName);
            if (!layer.AdapterNames.Any()) { ModuleTree.Replace(Model, path, layer.BaseModule); layers.Remove(path); }
        }
        foreach (var (path, saved) in savedModules.ToList())
        {
            saved.Remove(adapterName);
            if (saved.Adapters.Count == 0) { saved.Dispose(); savedModules.Remove(path); }
        }
        configs.Remove(adapterName);
        if (ActiveAdapter == adapterName && configs.Count > 0) SetAdapter(configs.Keys.First());
    }

    private void RequireAdapter(string adapterName)
    {
        if (!configs.ContainsKey(adapterName))
            throw new PeftSharpException($"no adapter named '{adapterName}' (adapters: {string.Join(", ", configs.Keys)})");
    }

    /// <summary>Freezes the model, then unfreezes the active adapter, its biases per <c>bias</c>, and its modules_to_save.</summary>
    private void ApplyTrainability()
    {
        foreach (var p in Model.parameters()) p.requires_grad = false;
        foreach (var p in TrainableParameters()) p.Parameter.requires_grad = true;
    }

    /// <summary>The parameters the active adapter trains, with their adapter-file names and optimizer roles.</summary>
    public IReadOnlyList<TrainableParameter> TrainableParameters() =>
        configs.ContainsKey(ActiveAdapter) ? AdapterParameters(ActiveAdapter) : [];

    /// <summary>
    /// Everything an adapter trains and saves: its layer parameters, the biases its <c>bias</c> mode selects, and its
    /// modules_to_save, named by their adapter-file key without "base_model.model." (PEFT's keys: the bias of an adapted
    /// layer is "&lt;path&gt;.base_layer.bias").
    /// </summary>
    public IReadOnlyList<TrainableParameter> AdapterParameters(string adapterName)
    {
        RequireAdapter(adapterName);
        var config = configs[adapterName];
        var result = new List<TrainableParameter>();
        foreach (var (path, layer) in layers)
        {
            if (!layer.HasAdapter(adapterName)) continue;
            var adapter = layer[adapterName];
            foreach (var (name, p) in adapter.named_parameters())
                result.Add(new($"{path}.{name}", p, adapter.RoleOf(name)));
            if (config.Bias == BiasMode.LoraOnly && layer.Base.Bias is { } bias)
                result.Add(new($"{path}.base_layer.bias", bias, ParameterRole.BiasOrNorm));
        }
        // An adapted layer's bias is "<path>.base_layer.bias", as PEFT saves and loads it (its in-memory name here too).
        if (config.Bias == BiasMode.All)
            foreach (var (name, p) in Model.named_parameters())
                if (name.EndsWith("bias", StringComparison.Ordinal) && !IsAdapterParameter(name))
                    result.Add(new(name, p, ParameterRole.BiasOrNorm));
        foreach (var (path, saved) in savedModules)
            if (saved.Adapters.Contains(adapterName))
                foreach (var (name, p) in saved.Module.named_parameters())
                    result.Add(new($"{path}.{name}", p, p.dim() <= 1 ? ParameterRole.BiasOrNorm : ParameterRole.Weight));
        return result.DistinctBy(t => t.Name).ToList();
    }

    private static bool IsAdapterParameter(string name) => name.Contains(".adapters.", StringComparison.Ordinal);

    /// <summary>(trainable, all) parameter counts, as PEFT counts them.</summary>
    public (long Trainable, long All) CountParameters()
    {
        long all = Model.parameters().Sum(p => p.numel());
        long trainable = TrainableParameters().Sum(t => t.Parameter.numel());
        return (trainable, all);
    }

    /// <summary>PEFT's summary line: <c>trainable params: X || all params: Y || trainable%: Z</c>.</summary>
    public string TrainableParametersSummary()
    {
        var (trainable, all) = CountParameters();
        var inv = CultureInfo.InvariantCulture;
        return string.Create(inv, $"trainable params: {trainable:N0} || all params: {all:N0} || trainable%: {100.0 * trainable / all:F4}");
    }

    public void PrintTrainableParameters() => Console.WriteLine(TrainableParametersSummary());

    /// <summary>Merges the active adapter into the base weights (forward then costs exactly the base model's).</summary>
    public void Merge()
    {
        foreach (var layer in layers.Values) if (layer.HasAdapter(ActiveAdapter)) layer.Merge(ActiveAdapter);
    }

    /// <summary>Undoes <see cref="Merge"/> for every merged adapter, in reverse merge order.</summary>
    public void Unmerge()
    {
        foreach (var layer in layers.Values)
            foreach (var name in layer.MergedAdapters.Reverse().ToList()) layer.Unmerge(name);
    }

    /// <summary>Merges the active adapter and puts the original layer modules back: the plain model, with modules_to_save trained values kept.</summary>
    public nn.Module MergeAndUnload()
    {
        Merge();
        foreach (var (path, layer) in layers) ModuleTree.Replace(Model, path, layer.BaseModule);
        layers.Clear();
        foreach (var saved in savedModules.Values) saved.Dispose();
        savedModules.Clear();
        foreach (var p in Model.parameters()) p.requires_grad = false;
        configs.Clear();
        return Model;
    }

    /// <summary>Within the returned scope the model computes as the base model (adapters and modules_to_save off).</summary>
    public IDisposable DisableAdapter()
    {
        foreach (var layer in layers.Values) layer.Disabled = true;
        foreach (var saved in savedModules.Values) saved.Activate(null);
        return new Scope(() =>
        {
            foreach (var layer in layers.Values) layer.Disabled = false;
            foreach (var saved in savedModules.Values) saved.Activate(ActiveAdapter);
        });
    }

    /// <summary>Dense ΔW of the active adapter per adapted layer, in each layer's own layout.</summary>
    public IEnumerable<(string Path, Tensor Delta)> DeltaWeights()
    {
        foreach (var (path, layer) in layers)
            if (layer.HasAdapter(ActiveAdapter)) yield return (path, layer.DeltaWeight(ActiveAdapter));
    }

    /// <summary>The adapter layers of <paramref name="adapterName"/> with their module paths.</summary>
    public IReadOnlyList<(string Path, TunerLayer Layer)> LayersOf(string adapterName) =>
        layers.Where(l => l.Value.HasAdapter(adapterName)).Select(l => (l.Key, l.Value[adapterName])).ToList();

    /// <summary>
    /// The active method's regularisation term (AdaLoRA / LoRA² orthogonality, weighted), to add to the training loss;
    /// a zero scalar for methods without one.
    /// </summary>
    public Tensor RegularizationLoss()
    {
        var active = LayersOf(ActiveAdapter).Select(l => l.Layer).ToList();
        return ActiveConfig.RegularizationLoss(active) ?? zeros([], device: active.FirstOrDefault()?.parameters().First().device);
    }

    /// <summary>True when the active method has a regularisation term.</summary>
    public bool HasRegularization => ActiveConfig.HasRegularization;

    /// <summary>The optimizer groups of the trainable parameters: weight decay on weights and factors only, LoRA+'s rate on B.</summary>
    public IReadOnlyList<ParameterGroup> ParameterGroups(double learningRate, double weightDecay) =>
        Tuners.ParameterGroups.Build(TrainableParameters(), learningRate, weightDecay, ActiveConfig.UpLearningRateRatio);

    /// <summary>
    /// Call once after every optimizer step, before the gradients are zeroed: it counts the step and runs what the
    /// method does between steps (AdaLoRA / LoRA² rank allocation from the gradients, Dual LoRA's warm-up ramp).
    /// PeftSharp's trainer calls it; so must your own training loop.
    /// </summary>
    public void AfterOptimizerStep()
    {
        Schedule?.AfterOptimizerStep(TrainingSteps);
        TrainingSteps++;
    }

    /// <summary>The active adapter's schedule between steps, created on first use (null when its method has none).</summary>
    internal ITrainingSchedule? Schedule
    {
        get
        {
            if (schedule is null && ActiveConfig.CreateSchedule(LayersOf(ActiveAdapter)) is { } created)
            {
                created.Seek(TrainingSteps);
                schedule = created;
            }
            return schedule;
        }
    }

    /// <summary>
    /// Fills in the active config's run-dependent defaults (AdaLoRA's total_step, Dual LoRA's ramp length) from the
    /// length of the run about to train, and restarts its schedule. PeftSharp's trainer calls it before step 0.
    /// </summary>
    public void PrepareTraining(long totalSteps, int learningRateWarmupSteps)
    {
        var resolved = ActiveConfig.ForRun(totalSteps, learningRateWarmupSteps);
        resolved.Validate();
        configs[ActiveAdapter] = resolved;
        ResetTraining();
    }

    private void ResetTraining()
    {
        schedule?.Dispose();
        schedule = null;
        TrainingSteps = 0;
    }

    /// <summary>Everything besides the parameters that training needs to resume exactly: the step count, the schedule's state, the layers' training state.</summary>
    internal (IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Values) SaveTrainingState()
    {
        var tensors = new Dictionary<string, Tensor>();
        var values = new Dictionary<string, string> { ["training_steps"] = TrainingSteps.ToString(CultureInfo.InvariantCulture) };
        if (Schedule is { } active)
        {
            var (scheduleTensors, scheduleValues) = active.SaveState();
            foreach (var (key, value) in scheduleTensors) tensors["schedule." + key] = value;
            foreach (var (key, value) in scheduleValues) values["schedule." + key] = value;
        }
        foreach (var (path, layer) in LayersOf(ActiveAdapter))
            foreach (var (name, value) in layer.TrainingState()) tensors[$"layer.{path}.{name}"] = value;
        return (tensors, values);
    }

    /// <summary>Restores <see cref="SaveTrainingState"/>.</summary>
    internal void LoadTrainingState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> values)
    {
        foreach (var (path, layer) in LayersOf(ActiveAdapter))
            layer.LoadTrainingState(Prefixed(tensors, $"layer.{path}."));
        TrainingSteps = long.Parse(values["training_steps"], CultureInfo.InvariantCulture);
        schedule?.Dispose();
        schedule = null;
        if (Schedule is { } active)
        {
            active.LoadState(Prefixed(tensors, "schedule."), Prefixed(values, "schedule."));
            active.Seek(TrainingSteps);
        }
    }

    private static Dictionary<string, T> Prefixed<T>(IReadOnlyDictionary<string, T> items, string prefix) =>
        items.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(p => p.Key[prefix.Length..], p => p.Value);

    /// <summary>
    /// Numerical rank of each adapted layer's dense ΔW (torch.linalg.matrix_rank defaults), the measure of
    /// the Dual LoRA paper's Fig. 3. The tolerance follows ΔW's own precision (σ_max·max(d, k)·eps of its dtype), so float32 rounding
    /// noise is not counted as rank; half precision is computed in float32.
    /// </summary>
    public IReadOnlyList<(string Path, long Rank)> EffectiveRanks()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return DeltaWeights().Select(d =>
        {
            var delta = d.Delta.dtype is ScalarType.Float64 or ScalarType.Float32 ? d.Delta : d.Delta.to(ScalarType.Float32);
            return (d.Path, linalg.matrix_rank(delta.cpu()).item<long>());
        }).ToList();
    }

    /// <summary>Makes the active adapter compute what its saved form computes (Dual LoRA: the end of its ramp). The trainer calls it after the last step.</summary>
    public void OnTrainingFinished()
    {
        foreach (var (_, layer) in LayersOf(ActiveAdapter)) layer.OnTrained();
    }

    internal IEnumerable<(string Path, ModulesToSave Module)> SavedModules =>
        savedModules.Select(p => (p.Key, p.Value));

    public void Dispose()
    {
        schedule?.Dispose();
        foreach (var saved in savedModules.Values) saved.Dispose();
    }

    private sealed class Scope(Action onDispose) : IDisposable
    {
        private bool done;
        public void Dispose() { if (!done) { done = true; onDispose(); } }
    }
}
