using System.Text.Json.Nodes;
using TorchSharp;
using PeftSharp.IO;
using PeftSharp.Models.Bert;
using PeftSharp.Models.Deberta;
using PeftSharp.IO.Gguf;
using PeftSharp.Models.Gguf;
using PeftSharp.Models.Gpt2;
using PeftSharp.Models.Llama;
using static TorchSharp.torch;

namespace PeftSharp.Models;

/// <summary>
/// Builds models from HuggingFace folders (config.json + model.safetensors or a sharded index) or llama.cpp GGUF files
/// (a <c>.gguf</c> path, or a folder holding one and no config.json), from a config with random weights, and saves them
/// back in HF layout.
/// </summary>
public static partial class PretrainedModelLoader
{
    /// <summary>
    /// Loads the model in <paramref name="directory"/>: <c>model_type</c> in config.json picks the
    /// architecture (for gpt2/llama/mistral/qwen2 the sequence classifier when <c>architectures</c> names one,
    /// the language model otherwise); weights are converted to <paramref name="dtype"/> (float32 by default).
    /// Missing weights are an error, except a task head (classifier) a base checkpoint lacks, which is
    /// initialised randomly with a warning; unused checkpoint keys are reported through
    /// <paramref name="warn"/> (known buffers silently ignored). <paramref name="config"/> replaces
    /// the folder's config.json (e.g. a different num_labels). The model is in eval mode.
    /// </summary>
    public static IPretrainedModel Load(string directory, ScalarType? dtype = null, Device? device = null,
        Action<string>? warn = null, ModelConfig? config = null) =>
        LoadWithHead(directory, ModelHead.FromConfig, dtype, device, warn, config);

    /// <summary><see cref="Load"/> for a decoder-only language model (gpt2, llama, mistral, qwen2).</summary>
    public static ICausalLanguageModel LoadCausalLM(string directory, ScalarType? dtype = null, Device? device = null, Action<string>? warn = null)
    {
        var config = LoadConfig(directory);
        if (config is not (Gpt2Config or LlamaConfig))
            throw new PeftSharpException($"{directory}: model_type '{config.ModelType}' is an encoder, not a causal language model (gpt2, llama, mistral, qwen2)");
        return (ICausalLanguageModel)LoadWithHead(directory, ModelHead.CausalLM, dtype, device, warn, config);
    }

    /// <summary>
    /// <see cref="Load"/> for a sequence classifier: an encoder's (bert, roberta, deberta-v2) or, on a decoder-only
    /// checkpoint (gpt2, llama, mistral, qwen2), HF's *ForSequenceClassification with its <c>score</c> head
    /// (a language model's <c>lm_head</c> is ignored, a missing <c>score</c> initialised with a warning).
    /// <paramref name="numLabels"/> overrides the config's num_labels / id2label; one label means regression.
    /// </summary>
    public static ISequenceClassificationModel LoadSequenceClassifier(string directory, int? numLabels = null, ScalarType? dtype = null,
        Device? device = null, Action<string>? warn = null) =>
        LoadSequenceClassifier(directory, numLabels, null, dtype, device, warn, headWarning: true);

    /// <summary>
    /// <see cref="LoadSequenceClassifier(string, int?, ScalarType?, Device?, Action{string}?)"/> with class names (config.json's
    /// id2label on save). Without <paramref name="headWarning"/> a newly initialised head is only recorded
    /// (<see cref="PretrainedModel.NewlyInitialized"/>): the caller knows whether it will be trained or loaded.
    /// </summary>
    internal static ISequenceClassificationModel LoadSequenceClassifier(string directory, int? numLabels, IReadOnlyList<string>? labelNames, ScalarType? dtype,
        Device? device, Action<string>? warn, bool headWarning)
    {
        var path = GgufModelFile.Find(directory) ?? Path.Combine(directory, "config.json");
        var config = LoadConfig(directory);
        if (config is not IClassifierConfig labels)
            throw new PeftSharpException($"{directory}: model_type '{config.ModelType}' has no sequence-classification head here");
        if (labelNames is not null || (numLabels is { } n && n != labels.NumLabels))
        {
            config = labels.WithNumLabels(labelNames?.Count ?? numLabels!.Value, labelNames);
            config.Validate(path);
        }
        return (ISequenceClassificationModel)LoadWithHead(directory, ModelHead.SequenceClassification, dtype, device, warn, config, headWarning);
    }

    /// <summary>A randomly initialised model (HF init: normal(0, initializer_range), zero biases, unit norms).</summary>
    public static IPretrainedModel Create(ModelConfig config, ScalarType? dtype = null, Device? device = null, long? seed = null)
    {
        config.Validate();
        ModelBlueprint.Check(config, dtype ?? ScalarType.Float32, device, ModelHead.FromConfig, null, "config.json");
        var model = Build(config, dtype ?? ScalarType.Float32, device);
        using var generator = seed is { } s ? new Generator((ulong)s, device ?? torch.CPU) : null;
        model.InitializeWeights(generator);
        return model;
    }

    /// <summary>
    /// The configuration of a model: config.json of a HF folder, or what a GGUF file's metadata and tensors describe
    /// (<paramref name="model"/> a .gguf file or a folder holding one and no config.json).
    /// </summary>
    public static ModelConfig LoadConfig(string model) =>
        GgufModelFile.Find(model) is { } gguf ? GgufCheckpoint.ReadConfig(gguf) : ModelConfig.Load(Path.Combine(model, "config.json"));

    private static PretrainedModel LoadWithHead(string directory, ModelHead head, ScalarType? dtype, Device? device, Action<string>? warn, ModelConfig? config,
        bool headWarning = true)
    {
        if (!GgufModelFile.Exists(directory)) throw new PeftSharpException($"{directory}: model folder not found");
        if (GgufModelFile.Find(directory) is { } gguf)
        {
            using var checkpoint = GgufCheckpoint.Open(gguf);
            return LoadFrom(checkpoint, gguf, config ?? checkpoint.Config, dtype ?? ScalarType.Float32, device, warn, head, headWarning);
        }
        config ??= ModelConfig.Load(Path.Combine(directory, "config.json"));
        using var source = OpenCheckpoint(directory);
        return LoadFrom(source, directory, config, dtype ?? ScalarType.Float32, device, warn, head, headWarning);
    }

    /// <summary>
    /// The architecture for <paramref name="config"/>. Encoders always carry their classifier; decoder-only
    /// types build the language model unless <paramref name="head"/> asks for the classifier or, with
    /// <see cref="ModelHead.FromConfig"/>, config.json's <c>architectures</c> names a *ForSequenceClassification.
    /// </summary>
    internal static PretrainedModel Build(ModelConfig config, ScalarType dtype, Device? device, ModelHead head = ModelHead.FromConfig)
    {
        var classifier = head == ModelHead.SequenceClassification || (head == ModelHead.FromConfig && DeclaresClassifier(config));
        return config switch
        {
            Gpt2Config gpt2 when classifier => new Gpt2ForSequenceClassification(gpt2, device, dtype),
            Gpt2Config gpt2 => new Gpt2LMHeadModel(gpt2, device, dtype),
            LlamaConfig llama when classifier => new LlamaForSequenceClassification(llama, device, dtype),
            LlamaConfig llama => new LlamaForCausalLM(llama, device, dtype),
            BertConfig { ModelType: "roberta" } roberta => new RobertaForSequenceClassification(roberta, device, dtype),
            BertConfig bert => new BertForSequenceClassification(bert, device, dtype),
            DebertaV2Config deberta => new DebertaV2ForSequenceClassification(deberta, device, dtype),
            _ => throw new PeftSharpException($"no architecture for model_type '{config.ModelType}' (supported: {string.Join(", ", ModelConfig.SupportedModelTypes)})"),
        };
    }

    private static bool DeclaresClassifier(ModelConfig config) =>
        config.SourceJson?["architectures"] is JsonArray { Count: > 0 } architectures
        && architectures[0] is JsonValue name && name.TryGetValue<string>(out var className)
        && className.EndsWith("ForSequenceClassification", StringComparison.Ordinal);

    internal static PretrainedModel LoadFrom(ITensorSource source, string sourceName, ModelConfig config, ScalarType dtype, Device? device, Action<string>? warn,
        ModelHead head = ModelHead.FromConfig, bool headWarning = true)
    {
        // Names and shapes are checked on the blueprint, before anything of the model's size is allocated.
        var plan = ModelBlueprint.Check(config, dtype, device, head, source, sourceName)!;
        var model = Build(config, dtype, device, head);
        try
        {
            var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (name, key) in plan.Sources)
            {
                using var tensor = source.Read(key, dtype, device);
                NonFiniteWeights.Require(tensor, sourceName, key);
                using var noGrad = torch.no_grad();
                parameters[name].copy_(tensor);
            }
            if (plan.MissingTaskHeads.Count > 0)
            {
                model.InitializeWeights(null, module => module.Length > 0 && plan.MissingTaskHeads.Any(p => p.StartsWith(module + ".", StringComparison.Ordinal)));
                model.NewlyInitialized = plan.MissingTaskHeads;
                if (headWarning)
                    warn?.Invoke($"{sourceName}: {plan.MissingTaskHeads.Count} weight(s) not in the checkpoint were newly initialised " +
                                 $"(train them, e.g. as modules_to_save): {CheckpointPlan.ListNames(plan.MissingTaskHeads)}");
            }
            if (plan.Unexpected.Count > 0)
                warn?.Invoke($"{sourceName}: {plan.Unexpected.Count} checkpoint weight(s) are not used by a '{config.ModelType}' " +
                             $"{model.GetType().Name}: {CheckpointPlan.ListNames(plan.Unexpected)}");
            model.Layout = model.KeepsOmittedPrefixOnSave ? plan.Layout : plan.Layout with { OmittedPrefix = null };
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The (key, tensor) pairs a save writes, in the layout the model was loaded from.</summary>
    internal static List<KeyValuePair<string, Tensor>> CheckpointTensors(PretrainedModel model)
    {
        // Order may differ after adapters were injected and removed (re-registration appends); names may not.
        var current = model.named_parameters().Select(p => p.name).ToHashSet(StringComparer.Ordinal);
        if (!current.SetEquals(model.ArchitectureParameterNames))
        {
            var extra = current.Except(model.ArchitectureParameterNames).Concat(model.ArchitectureParameterNames.Except(current)).ToList();
            throw new PeftSharpException(
                $"cannot save a '{model.ModelType}' model whose parameters differ from its architecture ({CheckpointPlan.ListNames(extra)}); merge and unload adapters first");
        }
        var tensors = model.named_parameters()
            .Select(p => new KeyValuePair<string, Tensor>(model.Layout.KeyOf(p.name), p.parameter.detach()))
            .ToList();
        if (model.Layout.StoresTiedHead && model.TiedHeadWeight is { } tied)
            tensors.Add(new KeyValuePair<string, Tensor>(CheckpointLayout.TiedHeadKey, tied.detach()));
        return tensors;
    }

    internal static string DtypeName(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        ScalarType.Float64 => "float64",
        _ => dtype.ToString().ToLowerInvariant(),
    };
}

/// <summary>Which head a decoder-only checkpoint is built with.</summary>
internal enum ModelHead
{
    /// <summary>The classifier if config.json's <c>architectures</c> names one, else the language model.</summary>
    FromConfig,
    CausalLM,
    SequenceClassification,
}
