using PeftSharp.IO;
using PeftSharp.Models;
using PeftSharp.Tuners;
using static TorchSharp.torch;

namespace PeftSharp.Workflows;

/// <summary>A base model with an optional adapter loaded on top, ready for evaluation, generation or merging.</summary>
internal sealed class ModelSession : IDisposable
{
    private ModelSession(IPretrainedModel model, PeftModel? peft) => (Model, Peft) = (model, peft);

    public IPretrainedModel Model { get; }
    public PeftModel? Peft { get; }

    /// <summary>
    /// Loads <paramref name="modelDirectory"/> as a classifier when the adapter was trained for classification (task_type
    /// SEQ_CLS, head size read from its saved head) or <paramref name="numLabels"/> is given, else as a causal LM.
    /// </summary>
    public static ModelSession Open(string modelDirectory, string? adapterDirectory, int? numLabels, ScalarType dtype, Device device, Action<string> warn)
    {
        var adapterConfig = adapterDirectory is null ? null : AdapterFormat.ReadConfig(adapterDirectory, warn);
        var (headSize, names) = adapterDirectory is null ? (null, null) : AdapterClasses(adapterDirectory, adapterConfig!);
        numLabels ??= headSize;
        var config = PretrainedModelLoader.LoadConfig(modelDirectory);
        IPretrainedModel model = numLabels is not null || IsClassifierCheckpoint(config)
            ? PretrainedModelLoader.LoadSequenceClassifier(modelDirectory, numLabels, names?.Count == numLabels ? names : null, dtype, device, warn, headWarning: false)
            : PretrainedModelLoader.LoadCausalLM(modelDirectory, dtype, device, warn);
        var peft = adapterConfig is null ? null : AdapterFormat.Load(model.Module, adapterConfig, adapterDirectory!, warn: warn);
        UntrainedHeads.Warn(model, adapterConfig?.ModulesToSave, modelDirectory,
            adapterConfig is null ? "untrained (give --adapter with a trained head)" : "not in the adapter (it has no such modules_to_save)", warn);
        model.Module.eval();
        return new ModelSession(model, peft);
    }

    /// <summary>
    /// The classes a classifier was trained with: a classification adapter's (the rows of its saved head, the names of its
    /// config.json's id2label), else those a fine-tuned classifier checkpoint names in its id2label (HF's placeholder
    /// names LABEL_0, LABEL_1, … name nothing); (null, null, null) when unknown. <c>From</c> says where they come from.
    /// </summary>
    public static (int? NumLabels, IReadOnlyList<string>? Names, string? From) Classes(string modelDirectory, string? adapterDirectory)
    {
        if (adapterDirectory is not null)
            return AdapterClasses(adapterDirectory, AdapterFormat.ReadConfig(adapterDirectory)) is ({ } n, var adapterNames) ? (n, adapterNames, "the adapter's head") : (null, null, null);
        var path = Path.Combine(modelDirectory, "config.json");
        var config = ModelConfig.Load(path);
        var names = Names(config);
        return IsClassifierCheckpoint(config) && names is not null && names.Where((name, i) => name != $"LABEL_{i}").Any() ? (names.Count, names, $"id2label in {path}") : (null, null, null);
    }

    private static (int? NumLabels, IReadOnlyList<string>? Names) AdapterClasses(string adapterDirectory, AdapterConfig adapterConfig)
    {
        if (adapterConfig.TaskType != "SEQ_CLS") return (null, null);
        var configPath = Path.Combine(adapterDirectory, "config.json");
        return (HeadSize(adapterDirectory), File.Exists(configPath) ? Names(ModelConfig.Load(configPath)) : null);
    }

    private static IReadOnlyList<string>? Names(ModelConfig config) =>
        (config as IClassifierConfig)?.Id2Label?.OrderBy(p => p.Key).Select(p => p.Value).ToList();

    private static bool IsClassifierCheckpoint(ModelConfig config) =>
        config.ModelType is "bert" or "roberta" or "deberta-v2"
        || (config.SourceJson?["architectures"]?.ToJsonString().Contains("ForSequenceClassification", StringComparison.Ordinal) ?? false);

    /// <summary>The number of classes of a saved classification adapter: rows of its saved head.</summary>
    private static int HeadSize(string adapterDirectory)
    {
        using var file = SafetensorsFile.Open(Path.Combine(adapterDirectory, AdapterFormat.WeightsFileName));
        foreach (var head in new[] { "classifier.out_proj.weight", "classifier.weight", "score.weight" })
            if (file.Contains("base_model.model." + head)) return (int)file.GetInfo("base_model.model." + head).Shape[0];
        throw new PeftSharpException($"{adapterDirectory}: a SEQ_CLS adapter without a saved classifier head (classifier or score in modules_to_save)");
    }

    public void Dispose()
    {
        Peft?.Dispose();
        Model.Dispose();
    }
}
