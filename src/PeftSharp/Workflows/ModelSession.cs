using PeftSharp.IO;
using PeftSharp.Models;
using PeftSharp.Tuners;
using static TorchSharp.torch;

namespace PeftSharp.Workflows;

/// <summary>A base model with an optional adapter loaded on top, ready for evaluation, generation or merging.</summary>
internal sealed class ModelSession : IDisposable
{
    ModelSession(IPretrainedModel model, PeftModel? peft) => (Model, Peft) = (model, peft);

    public IPretrainedModel Model { get; }
    public PeftModel? Peft { get; }

    /// <summary>
    /// Loads <paramref name="modelDirectory"/> as a classifier when the adapter was trained for classification (task_type
    /// SEQ_CLS, head size read from its saved head) or <paramref name="numLabels"/> is given, else as a causal LM.
    /// </summary>
    public static ModelSession Open(string modelDirectory, string? adapterDirectory, int? numLabels, ScalarType dtype, Device device, Action<string> warn)
    {
        var adapterConfig = adapterDirectory is null ? null : AdapterFormat.ReadConfig(adapterDirectory, warn);
        var (headSize, names) = AdapterClasses(adapterDirectory, adapterConfig);
        numLabels ??= headSize;
        var config = ModelConfig.Load(Path.Combine(modelDirectory, "config.json"));
        IPretrainedModel model = numLabels is not null || IsClassifierCheckpoint(config)
            ? PretrainedModelLoader.LoadSequenceClassifier(modelDirectory, numLabels, names?.Count == numLabels ? names : null, dtype, device, warn, headWarning: false)
            : PretrainedModelLoader.LoadCausalLM(modelDirectory, dtype, device, warn);
        var peft = adapterDirectory is null ? null : AdapterFormat.Load(model.Module, adapterDirectory, warn: warn);
        UntrainedHeads.Warn(model, adapterConfig?.ModulesToSave, modelDirectory,
            adapterConfig is null ? "untrained (give --adapter with a trained head)" : "not in the adapter (it has no such modules_to_save)", warn);
        model.Module.eval();
        return new ModelSession(model, peft);
    }

    /// <summary>A classification adapter's classes: the rows of its saved head and the names in its config.json (id2label), if any.</summary>
    public static (int? NumLabels, IReadOnlyList<string>? Names) AdapterClasses(string? adapterDirectory, AdapterConfig? adapterConfig = null)
    {
        if (adapterDirectory is null) return (null, null);
        adapterConfig ??= AdapterFormat.ReadConfig(adapterDirectory);
        if (adapterConfig.TaskType != "SEQ_CLS") return (null, null);
        var configPath = Path.Combine(adapterDirectory, "config.json");
        var id2label = File.Exists(configPath) ? (ModelConfig.Load(configPath) as IClassifierConfig)?.Id2Label : null;
        return (HeadSize(adapterDirectory), id2label?.OrderBy(p => p.Key).Select(p => p.Value).ToList());
    }

    static bool IsClassifierCheckpoint(ModelConfig config) =>
        config.ModelType is "bert" or "roberta" or "deberta-v2"
        || (config.SourceJson?["architectures"]?.ToJsonString().Contains("ForSequenceClassification", StringComparison.Ordinal) ?? false);

    /// <summary>The number of classes of a saved classification adapter: rows of its saved head.</summary>
    static int HeadSize(string adapterDirectory)
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
