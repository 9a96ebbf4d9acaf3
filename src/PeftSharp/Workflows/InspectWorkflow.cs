using PeftSharp.IO;
using PeftSharp.Models;
using PeftSharp.Tuners;
using PeftSharp.Tuners.RankAllocation;
using static TorchSharp.torch;

namespace PeftSharp.Workflows;

/// <summary>One adapted layer of an inspected adapter.</summary>
public sealed record InspectedLayer(string Path, long InFeatures, long OutFeatures, long Parameters, long? EffectiveRank, bool[]? ActiveRanks);

/// <summary>What <c>peft inspect</c> reports about a saved adapter.</summary>
public sealed record InspectionReport(string Method, string PeftType, long TrainableParameters, IReadOnlyList<InspectedLayer> Layers, string? Note)
{
    public double? MeanEffectiveRank => Layers.All(l => l.EffectiveRank is null) ? null : Layers.Where(l => l.EffectiveRank is not null).Average(l => (double)l.EffectiveRank!.Value);
}

/// <summary>
/// <c>peft inspect</c>: the method, parameter count, per-layer effective rank of ΔW (the Dual LoRA paper's Fig. 3) and
/// the active-rank masks of a saved adapter. Without the base model the ranks are computed on zero base weights, which
/// is exact for every method whose ΔW does not depend on W0 (all but DoRA; give the model for DoRA).
/// </summary>
public static class InspectWorkflow
{
    public static InspectionReport Run(string adapterDirectory, string? modelDirectory = null, Action<string>? warn = null)
    {
        warn ??= _ => { };
        var config = AdapterFormat.ReadConfig(adapterDirectory, warn);
        using var scope = NewDisposeScope();
        using var file = SafetensorsFile.Open(Path.Combine(adapterDirectory, AdapterFormat.WeightsFileName));
        long parameters = file.Keys.Sum(k => file.GetInfo(k).ElementCount);
        var method = PeftMethods.Of(config);
        bool needsBase = config.DeltaDependsOnBaseWeights && modelDirectory is null;

        PeftModel peft;
        IDisposable? owner = null;
        if (modelDirectory is not null)
        {
            var session = ModelSession.Open(modelDirectory, adapterDirectory, null, ScalarType.Float32, CPU, warn);
            (peft, owner) = (session.Peft!, session);
        }
        else
        {
            var shadow = ShadowModel.From(file, config);
            var bare = config with { ModulesToSave = null, Bias = BiasMode.None };
            peft = PeftModel.Create(shadow, bare);
            AdapterFormat.LoadWeights(peft, PeftModel.DefaultAdapterName, adapterDirectory, ignore: key => !shadow.Adapts(key));
        }
        try
        {
            var ranks = needsBase ? null : peft.EffectiveRanks().ToDictionary(r => r.Path, r => r.Rank);
            var layers = peft.Layers.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l =>
            {
                var adapter = l.Value[peft.ActiveAdapter];
                return new InspectedLayer(l.Key, l.Value.InFeatures, l.Value.OutFeatures, adapter.TrainableParameterCount + adapter.parameters().Where(p => !p.requires_grad).Sum(p => p.numel()),
                    ranks?[l.Key], (adapter as IRankAdaptive)?.SavedPattern);
            }).ToList();
            return new InspectionReport(method.Name, config.PeftType, parameters, layers,
                ranks is null ? $"{method.Title}'s ΔW depends on the base weights: give the base model to compute effective ranks" : null);
        }
        finally
        {
            owner?.Dispose();
        }
    }

    /// <summary>A model with a zero-weight linear layer at every module path the adapter file adapts.</summary>
    private sealed class ShadowModel : nn.Module, IModuleContainer
    {
        private readonly HashSet<string> paths;

        private ShadowModel(HashSet<string> paths) : base("shadow") => this.paths = paths;

        /// <summary>True for the adapter tensors of a shadowed layer ("…&lt;path&gt;.lora_…"); biases and modules_to_save are not inspected.</summary>
        public bool Adapts(string key) => paths.Any(p => key.StartsWith($"base_model.model.{p}.lora_", StringComparison.Ordinal));

        /// <summary>
        /// One layer per module path that holds adapter tensors (keys "base_model.model.&lt;path&gt;.lora_…"), sized by the
        /// method from the shapes of its saved tensors.
        /// </summary>
        public static ShadowModel From(SafetensorsFile file, AdapterConfig config)
        {
            const string prefix = "base_model.model.";
            var shapes = new Dictionary<string, Dictionary<string, long[]>>();
            foreach (var key in file.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && k.Contains(".lora_", StringComparison.Ordinal)))
            {
                int at = key.IndexOf(".lora_", StringComparison.Ordinal);
                var path = key[prefix.Length..at];
                if (!shapes.TryGetValue(path, out var local)) shapes[path] = local = new();
                local[key[(at + 1)..]] = file.GetInfo(key).Shape.ToArray();
            }
            if (shapes.Count == 0) throw new PeftSharpException($"{file.FilePath}: no adapter tensors (base_model.model.<path>.lora_*)");
            var layers = shapes.ToDictionary(p => p.Key, p => config.LayerShape(p.Value)
                ?? throw new PeftSharpException($"{file.FilePath}: cannot tell the shape of layer '{p.Key}' from its tensors"));
            var root = new ShadowModel(layers.Keys.ToHashSet());
            foreach (var (path, (inFeatures, outFeatures)) in layers)
            {
                nn.Module parent = root;
                var parts = path.Split('.');
                foreach (var part in parts[..^1])
                {
                    var child = parent.named_children().FirstOrDefault(c => c.name == part).module;
                    if (child is null) { child = new Container(); parent.register_module(part, child); }
                    parent = child;
                }
                var linear = nn.Linear(inFeatures, outFeatures, hasBias: false);
                using (no_grad()) linear.weight!.zero_();
                parent.register_module(parts[^1], linear);
            }
            return root;
        }

        private sealed class Container() : nn.Module("container"), IModuleContainer;
    }
}
