using System.Text.Json.Serialization;
using PeftSharp.IO;
using static TorchSharp.torch;

namespace PeftSharp.Tuners;

/// <summary>
/// What every adapter method's configuration shares, with PEFT's field names on disk (snake_case property names,
/// see <see cref="AdapterConfigFile"/>). A method's config adds its hyperparameters as <c>init</c> properties marked
/// <see cref="MethodOptionAttribute"/>, validates them in <see cref="Validate"/>, builds its <see cref="TunerLayer"/>, and
/// overrides the training hooks it needs. It is the single source of the method's options, defaults and checks.
/// </summary>
public abstract record AdapterConfig
{
    /// <summary>PEFT's <c>peft_type</c> ("LORA", "ADALORA", ...).</summary>
    [JsonIgnore]
    public abstract string PeftType { get; }

    /// <summary>The modules to adapt (PEFT <c>target_modules</c>); null = the architecture's PEFT default (all-linear for a bare module).</summary>
    [MethodOption("Modules to adapt: comma-separated names, regex:PATTERN, or all-linear (default: the architecture's PEFT default)")]
    public TargetModules? TargetModules { get; init; }

    /// <summary>Modules never adapted even when matched (PEFT <c>exclude_modules</c>).</summary>
    [MethodOption("Modules never adapted even when matched (same syntax as target_modules)")]
    public TargetModules? ExcludeModules { get; init; }

    /// <summary>
    /// Only the layers with these indices are adapted (PEFT <c>layers_to_transform</c>): the index is the number after
    /// the first "&lt;name&gt;." in a module path ("model.layers.3.self_attn.q_proj" → 3), or after
    /// "&lt;layers_pattern&gt;." when that is given. Needs <see cref="TargetModules"/> as a list of names; null = every layer.
    /// </summary>
    [MethodOption("Adapt only the layers with these comma-separated indices (target_modules must be names)")]
    [JsonConverter(typeof(OneOrManyJsonConverter<int>))]
    public IReadOnlyList<int>? LayersToTransform { get; init; }

    /// <summary>The name of the layer list whose index <see cref="LayersToTransform"/> reads, e.g. "h" or "layers" (PEFT <c>layers_pattern</c>, a regular expression); null = the first numbered segment.</summary>
    [MethodOption("Name of the layer list whose index --layers-to-transform selects, e.g. h or layers")]
    [JsonConverter(typeof(OneOrManyJsonConverter<string>))]
    public IReadOnlyList<string>? LayersPattern { get; init; }

    /// <summary>Modules trained fully and saved with the adapter, e.g. a classifier head (PEFT <c>modules_to_save</c>).</summary>
    [MethodOption("Comma-separated modules trained fully and saved with the adapter (classification: the head, by default)")]
    public IReadOnlyList<string>? ModulesToSave { get; init; }

    /// <summary>Dropout on the adapter branch input (PEFT <c>lora_dropout</c>).</summary>
    [MethodOption("Dropout on the adapter branch input")]
    public double LoraDropout { get; init; }

    /// <summary>Which biases train with the adapter (PEFT <c>bias</c>).</summary>
    [MethodOption("Biases that train with the adapter")]
    public BiasMode Bias { get; init; } = BiasMode.None;

    /// <summary>The base model the adapter was trained on (PEFT <c>base_model_name_or_path</c>).</summary>
    public string? BaseModelNameOrPath { get; init; }

    /// <summary>PEFT <c>task_type</c>: CAUSAL_LM, SEQ_CLS, ...</summary>
    public string? TaskType { get; init; }

    /// <summary>Creates this method's adapter for one layer at <paramref name="modulePath"/>.</summary>
    protected internal abstract TunerLayer CreateLayer(LinearLike layer, string modulePath);

    /// <summary>Checks every field; throws <see cref="InvalidOptionException"/> naming the field.</summary>
    public virtual void Validate()
    {
        if (LoraDropout is < 0 or >= 1 || double.IsNaN(LoraDropout)) throw Invalid("lora_dropout", "in [0, 1)", LoraDropout);
        if (LayersToTransform is { } layers)
        {
            if (layers.Any(i => i < 0)) throw Invalid("layers_to_transform", "layer indices ≥ 0", string.Join(",", layers));
            if (TargetModules is { Names: null }) throw Invalid("layers_to_transform", "used with target_modules as a list of module names (not a regular expression or all-linear)", string.Join(",", layers));
        }
        if (LayersPattern is { Count: > 0 } && LayersToTransform is not { Count: > 0 })
            throw Invalid("layers_pattern", "used with layers_to_transform", string.Join(",", LayersPattern));
    }

    /// <summary>An error for field <paramref name="field"/> (its JSON name) of this config.</summary>
    protected InvalidOptionException Invalid(string field, string expected, object? value) => new($"{PeftType} config", field, expected, value);

    /// <summary>
    /// This config with the defaults that depend on the training run filled in (AdaLoRA's total_step, Dual LoRA's ramp
    /// length). PeftSharp's trainer calls it; when you drive training yourself, give those fields explicitly.
    /// </summary>
    protected internal virtual AdapterConfig ForRun(long totalSteps, int learningRateWarmupSteps) => this;

    /// <summary>What the method does between optimizer steps (rank allocation, warm-up ramps); null when nothing.</summary>
    protected internal virtual ITrainingSchedule? CreateSchedule(IReadOnlyList<(string Path, TunerLayer Layer)> layers) => null;

    /// <summary>Whether <see cref="RegularizationLoss"/> contributes to the training loss.</summary>
    protected internal virtual bool HasRegularization => false;

    /// <summary>The method's regularisation term over the adapters of one adapter name (null when it has none).</summary>
    protected internal virtual Tensor? RegularizationLoss(IReadOnlyList<TunerLayer> layers) => null;

    /// <summary>The learning-rate multiplier of up-projections (LoRA+); 1 for plain training.</summary>
    protected internal virtual double UpLearningRateRatio => 1;

    /// <summary>
    /// The (in, out) features of the layer a saved adapter adapts, from the shapes of its saved tensors by local name
    /// (for inspecting an adapter without its base model). Default: LoRA's A (r, in) and B (out, r).
    /// </summary>
    protected internal virtual (long InFeatures, long OutFeatures)? LayerShape(IReadOnlyDictionary<string, long[]> savedShapes) =>
        (savedShapes.GetValueOrDefault("lora_A.weight") ?? savedShapes.GetValueOrDefault("lora_A"),
         savedShapes.GetValueOrDefault("lora_B.weight") ?? savedShapes.GetValueOrDefault("lora_B")) is ([_, var k], [var d, _]) ? (k, d) : null;

    /// <summary>Whether ΔW depends on the base weights (DoRA), so it cannot be computed from the adapter file alone.</summary>
    protected internal virtual bool DeltaDependsOnBaseWeights => false;

    /// <summary>The config as saved next to trained <paramref name="layers"/> (AdaLoRA / LoRA² add their rank_pattern).</summary>
    protected internal virtual AdapterConfig ForSaving(IReadOnlyList<(string Path, TunerLayer Layer)> layers) => this;
}
