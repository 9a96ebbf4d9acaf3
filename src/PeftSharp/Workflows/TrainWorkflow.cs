using System.Text.Json;
using System.Text.Json.Nodes;
using PeftSharp.Data;
using PeftSharp.Evaluation;
using PeftSharp.IO;
using PeftSharp.Models;
using PeftSharp.Tokenization;
using PeftSharp.Training;
using PeftSharp.Training.Tasks;
using PeftSharp.Tuners;
using static TorchSharp.torch;

namespace PeftSharp.Workflows;

/// <summary>The outcome of one training run.</summary>
public sealed record TrainRunResult(
    string Method, TrainResult Train, long TrainableParameters, long AllParameters,
    IReadOnlyDictionary<string, double>? EvalMetrics, IReadOnlyDictionary<string, double>? TestMetrics,
    IReadOnlyList<(string Path, long Rank)> EffectiveRanks, string OutputDirectory)
{
    public double TrainablePercent => 100.0 * TrainableParameters / AllParameters;
}

/// <summary>
/// <c>peft train</c> end to end: tokenizer, data, model, method, trainer, final evaluation, and a
/// <c>final_metrics.json</c> next to the trained adapter (or model) in the output folder.
/// </summary>
public static class TrainWorkflow
{
    public const string FinalMetricsFile = "final_metrics.json";

    public static TrainRunResult Run(TrainSettings settings, ITrainingObserver? observer = null, Action<string>? warn = null, CancellationToken cancel = default)
    {
        warn ??= _ => { };
        // Bad options fail before anything is loaded, not after minutes of reading a model and data.
        settings.Validate();
        if (!IO.Gguf.GgufModelFile.Exists(settings.ModelDirectory)) throw new InvalidOptionException(nameof(settings.ModelDirectory), settings.ModelDirectory, "model folder not found");
        foreach (var (option, path) in new[] { (nameof(settings.DataPath), settings.DataPath), (nameof(settings.EvalDataPath), settings.EvalDataPath), (nameof(settings.TestDataPath), settings.TestDataPath) })
            if (path is not null && !File.Exists(path) && !Directory.Exists(path)) throw new InvalidOptionException(option, path, "not found");
        var device = Devices.Resolve(settings.Device);
        if (!MixedPrecision.HasFastMatmul(settings.Dtype, device))
            warn($"this CPU has no AVX-512, which libtorch needs to multiply {PretrainedModelLoader.DtypeName(settings.Dtype)} matrices fast: here they multiply " +
                 "tens of times slower than float32 (bench/RESULTS.md). Half precision still halves the weights' memory; use float32 when the model fits");
        manual_seed(settings.Trainer.Seed);
        var tokenizer = TokenizerLoader.Load(settings.ModelDirectory);
        var task = settings.Task ?? TaskSpec.Detect(settings.DataPath);
        var config = PretrainedModelLoader.LoadConfig(settings.ModelDirectory);
        int maxLength = TaskData.MaxLength(settings.MaxLength, task, config);

        using var scope = NewDisposeScope(); // the model and everything the run creates are freed at the end
        var (model, data) = LoadModelAndData(settings, task, tokenizer, config, maxLength, settings.Dtype, device, warn);
        model.GradientCheckpointing = settings.GradientCheckpointing;
        int padId = tokenizer.PadTokenId ?? tokenizer.EosTokenId ?? 0;
        long totalSteps = settings.Trainer.TotalSteps(data.Train.Count);
        int warmup = settings.WarmupRatio is { } ratio ? (int)Math.Ceiling(ratio * totalSteps) : settings.Trainer.WarmupSteps;
        var trainerOptions = settings.Trainer with { WarmupSteps = warmup };

        var adapterConfig = settings.Adapter is { TargetModules: null } unset
            ? unset with { TargetModules = TargetModules.FromNames(ModelConfig.DefaultTargetModules(config.ModelType)) }
            : settings.Adapter;
        ITrainable trainable;
        PeftModel? peft = null;
        if (adapterConfig is null)
        {
            trainable = new FullTrainable(model.Module, dir => { PretrainedModelLoader.Save(model, dir); ModelFiles.CopyTokenizer(settings.ModelDirectory, dir); });
        }
        else
        {
            // The classification head trains fully (PEFT's SEQ_CLS default); DeBERTa's pooler is new in base checkpoints too.
            if (model is ISequenceClassificationModel classifier)
                adapterConfig = adapterConfig with
                {
                    ModulesToSave = adapterConfig.ModulesToSave ?? (config.ModelType == "deberta-v2" ? [classifier.ClassifierModuleName, "pooler"] : [classifier.ClassifierModuleName]),
                };
            adapterConfig = adapterConfig with
            {
                BaseModelNameOrPath = Path.GetFullPath(settings.ModelDirectory),
                TaskType = model is ISequenceClassificationModel ? "SEQ_CLS" : "CAUSAL_LM",
            };
            peft = PeftModel.Create(model.Module, adapterConfig, adapterInBaseDtype: settings.AdapterInBaseDtype);
            trainable = new PeftTrainable(peft);
        }
        var counts = trainable.TrainableParameters().Sum(p => p.Parameter.numel());
        long all = model.Module.parameters().Sum(p => p.numel());

        ITrainingTask trainingTask = model switch
        {
            ISequenceClassificationModel c => new ClassificationTask(c, data.Train, padId),
            ICausalLanguageModel lm => new CausalLmTask(lm, data.Train, padId, settings.LabelSmoothing),
            _ => throw new PeftSharpException($"model_type '{config.ModelType}' cannot be trained on {task.Kind}"),
        };
        var evaluator = EvaluatorFactory.Build(model, tokenizer, data, settings.Generation, settings.EvalBatchSize, padId);
        var result = new Trainer(trainable, trainingTask, evaluator, trainerOptions, observer).Train(cancel);

        IReadOnlyDictionary<string, double>? test = null;
        if (settings.TestDataPath is { } testDataPath && !result.Interrupted)
        {
            var testData = TaskData.Prepare(task, null, testDataPath, tokenizer, maxLength, settings.Data, warn, data.NumLabels > 0 ? data.NumLabels : null);
            using var noGrad = no_grad();
            model.Module.eval();
            test = EvaluatorFactory.Build(model, tokenizer, testData, settings.Generation, settings.EvalBatchSize, padId)?.Evaluate();
        }
        var ranks = peft?.EffectiveRanks() ?? [];
        if (!result.Interrupted) WriteFinalMetrics(settings, result, counts, all, test, ranks);
        peft?.Dispose();
        model.Dispose();
        return new TrainRunResult(settings.MethodName, result, counts, all, result.FinalMetrics, test, ranks, settings.OutputDirectory);
    }

    static (IPretrainedModel Model, TaskData Data) LoadModelAndData(TrainSettings settings, TaskSpec task, ITextTokenizer tokenizer, ModelConfig config,
        int maxLength, ScalarType dtype, Device device, Action<string> warn)
    {
        if (task.IsClassification)
        {
            // The number of classes comes from the data, so read it first.
            var data = TaskData.Prepare(task, settings.DataPath, settings.EvalDataPath, tokenizer, maxLength, settings.Data, warn);
            var classifier = PretrainedModelLoader.LoadSequenceClassifier(settings.ModelDirectory, data.NumLabels, dtype, device, warn);
            return (classifier, data);
        }
        ICausalLanguageModel model = settings.FromScratch
            ? (ICausalLanguageModel)PretrainedModelLoader.Create(config, dtype, device, settings.Trainer.Seed)
            : PretrainedModelLoader.LoadCausalLM(settings.ModelDirectory, dtype, device, warn);
        return (model, TaskData.Prepare(task, settings.DataPath, settings.EvalDataPath, tokenizer, maxLength, settings.Data, warn));
    }

    static void WriteFinalMetrics(TrainSettings settings, TrainResult result, long trainable, long all, IReadOnlyDictionary<string, double>? test,
        IReadOnlyList<(string Path, long Rank)> ranks)
    {
        static JsonObject? Metrics(IReadOnlyDictionary<string, double>? m) =>
            m is null ? null : new JsonObject(m.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)(double.IsFinite(p.Value) ? p.Value : null))));
        var json = new JsonObject
        {
            ["method"] = settings.MethodName,
            ["steps"] = result.Steps,
            ["train_seconds"] = Math.Round(result.TrainTime.TotalSeconds, 2),
            ["peak_resident_mb"] = result.PeakResidentBytes / (1024 * 1024),
            ["last_loss"] = double.IsFinite(result.LastLoss) ? result.LastLoss : null,
            ["trainable_parameters"] = trainable,
            ["all_parameters"] = all,
            ["trainable_percent"] = Math.Round(100.0 * trainable / all, 4),
            ["stopped_early"] = result.StoppedEarly,
            ["eval"] = Metrics(result.FinalMetrics),
            ["test"] = Metrics(test),
            ["effective_rank"] = new JsonObject(ranks.Select(r => KeyValuePair.Create(r.Path, (JsonNode?)r.Rank))),
        };
        AtomicFile.WriteAllText(Path.Combine(settings.OutputDirectory, FinalMetricsFile), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
