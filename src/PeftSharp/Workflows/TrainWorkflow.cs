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
    IReadOnlyList<(string Path, long Rank)> EffectiveRanks, string OutputDirectory, int? EvalExamples = null, int? TestExamples = null)
{
    public double TrainablePercent => 100.0 * TrainableParameters / AllParameters;
    /// <summary>The settings the run trained with.</summary>
    public TrainSettings? Settings { get; init; }
    /// <summary>AdaLoRA and LoRA²: the parameters whose sensitivity the rank allocator computes at every step (null for other methods).</summary>
    public long? ImportanceScoredParameters { get; init; }
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
        using var folder = ClaimOutput(settings);
        var device = Devices.Resolve(settings.Device);
        if (!MixedPrecision.HasFastMatmul(settings.Dtype, device))
            warn($"this CPU has no AVX-512, which libtorch needs to multiply {PretrainedModelLoader.DtypeName(settings.Dtype)} matrices fast: here they multiply " +
                 "on one thread, 50 to 300 times slower than float32 (measured on an AVX2 CPU). Half precision still halves the weights' memory; use float32 when the model fits");
        manual_seed(settings.Trainer.Seed);
        var tokenizer = new DeferredTokenizer(settings.ModelDirectory); // loaded only if text must be tokenized or generated
        var task = settings.Task ?? TaskSpec.Detect(settings.DataPath);
        var config = PretrainedModelLoader.LoadConfig(settings.ModelDirectory);
        int maxLength = TaskData.MaxLength(settings.MaxLength, task, config);

        using var scope = NewDisposeScope(); // the model and everything the run creates are freed at the end
        var (model, data) = LoadModelAndData(settings, task, tokenizer, config, maxLength, settings.Dtype, device, warn);
        Report(settings, data, observer);
        model.GradientCheckpointing = settings.GradientCheckpointing;
        int padId = tokenizer.PadId;

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
            UntrainedHeads.Warn(model, adapterConfig.ModulesToSave, settings.ModelDirectory, "not trained (they are not in modules_to_save)", warn);
            // A classifier's adapter carries the classifier's config.json: its classes (id2label) as HF writes them.
            trainable = model is ISequenceClassificationModel ? new PeftTrainable(peft, dir => model.Config.Save(Path.Combine(dir, "config.json"))) : new PeftTrainable(peft);
        }
        var counts = trainable.TrainableParameters().Sum(p => p.Parameter.numel());
        long all = model.Module.parameters().Sum(p => p.numel());

        ITrainingTask trainingTask = model switch
        {
            ISequenceClassificationModel c => new ClassificationTask(c, data.Train, padId),
            ICausalLanguageModel lm => new CausalLmTask(lm, data.Train, padId, settings.LabelSmoothing),
            _ => throw new PeftSharpException($"model_type '{config.ModelType}' cannot be trained on {task.Kind}"),
        };
        var generation = model is ICausalLanguageModel causalLm
            ? WorkflowGeneration.Resolve(settings.Generation, settings.ModelDirectory, tokenizer.IfAvailable, causalLm.EosTokenIds, warn)
            : settings.Generation;
        EvaluationProgress Progress(string split) => new((done, total) => observer?.OnEvaluationProgress(split, done, total));
        var evaluator = EvaluatorFactory.Build(model, tokenizer, data, generation, settings.EvalBatchSize, padId, Progress("dev"));
        var result = new Trainer(trainable, trainingTask, evaluator, settings.Trainer, observer) { Folder = folder }.Train(cancel);

        IReadOnlyDictionary<string, double>? test = null;
        int? testExamples = null;
        if (settings.TestDataPath is { } testDataPath && !result.Interrupted)
        {
            var testData = TaskData.Prepare(task, null, testDataPath, tokenizer, maxLength, settings.Data with { EvalMaxExamples = settings.TestMaxExamples, EvalSplit = null }, warn,
                data.NumLabels > 0 ? data.NumLabels : null);
            using var noGrad = no_grad();
            model.Module.eval();
            var testEvaluator = EvaluatorFactory.Build(model, tokenizer, testData, generation, settings.EvalBatchSize, padId, Progress("test"));
            (test, testExamples) = (testEvaluator?.Evaluate(), testEvaluator?.ExampleCount);
        }
        var ranks = peft?.EffectiveRanks() ?? [];
        var run = new TrainRunResult(settings.MethodName, result, counts, all, result.FinalMetrics, test, ranks, settings.OutputDirectory,
            result.FinalMetrics is null ? null : evaluator?.ExampleCount, testExamples)
        {
            Settings = settings,
            ImportanceScoredParameters = peft?.Schedule is Tuners.RankAllocation.RankAllocator allocator ? allocator.ScoredParameterCount : null,
        };
        if (!result.Interrupted) WriteFinalMetrics(settings, run);
        peft?.Dispose();
        model.Dispose();
        return run;
    }

    /// <summary>
    /// Holds the output folder for the run (see <see cref="OutputFolder"/>): it must not overlap the inputs, and must be
    /// empty unless the run continues a checkpoint in it or <see cref="TrainSettings.Overwrite"/> allows replacing an
    /// earlier run there, whose checkpoints and logs are then removed first (they would mix with the new run's).
    /// </summary>
    private static OutputFolder ClaimOutput(TrainSettings settings)
    {
        var resumed = settings.Trainer.ResumeFrom is { } resume ? TrainingCheckpoint.FindResumePoint(resume).OutputDirectory : null;
        bool continuing = resumed is not null && FileIdentity.Of(resumed) == FileIdentity.Of(settings.OutputDirectory);
        var folder = OutputFolder.Claim(settings.OutputDirectory, nameof(settings.OutputDirectory), settings.Inputs,
            acceptExisting: continuing || settings.Overwrite, resumable: true);
        if (settings.Overwrite && !continuing)
        {
            TrainingCheckpoint.DeleteAll(settings.OutputDirectory);
            foreach (var record in new[] { MetricsLog.FileName, FinalMetricsFile }) File.Delete(Path.Combine(settings.OutputDirectory, record));
        }
        return folder;
    }

    private static (IPretrainedModel Model, TaskData Data) LoadModelAndData(TrainSettings settings, TaskSpec task, ITextTokenizer tokenizer, ModelConfig config,
        int maxLength, ScalarType dtype, Device device, Action<string> warn)
    {
        if (task.IsClassification)
        {
            // The number of classes comes from the data, so read it first.
            var data = TaskData.Prepare(task, settings.DataPath, settings.EvalDataPath, tokenizer, maxLength, settings.Data, warn);
            var classifier = PretrainedModelLoader.LoadSequenceClassifier(settings.ModelDirectory, data.NumLabels, data.LabelNames, dtype, device, warn, headWarning: false);
            return (classifier, data);
        }
        ICausalLanguageModel model = settings.FromScratch
            ? (ICausalLanguageModel)PretrainedModelLoader.Create(config, dtype, device, settings.Trainer.Seed)
            : PretrainedModelLoader.LoadCausalLM(settings.ModelDirectory, dtype, device, warn);
        return (model, TaskData.Prepare(task, settings.DataPath, settings.EvalDataPath, tokenizer, maxLength, settings.Data, warn));
    }

    /// <summary>Tells what the run trains on when it is not spelled out in a file: classes taken from the data, a held-out slice.</summary>
    private static void Report(TrainSettings settings, TaskData data, ITrainingObserver? observer)
    {
        if (data.LabelNames is { } names && !File.Exists(DataLocations.LabelsFile(settings.DataPath)) && settings.Task?.Kind != TaskKind.Glue)
            observer?.OnMessage($"{names.Count} classes named in the data: {LabelField.Listed(names)} (saved as id2label in config.json)");
        if (settings.EvalSplit is { } split)
            observer?.OnMessage(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"dev: {data.Eval?.Count:N0} examples ({split * 100:0.#}%) held out of {Path.GetFileName(settings.DataPath)}, the same in every run; training on {data.Train.Count:N0}"));
    }

    private static void WriteFinalMetrics(TrainSettings settings, TrainRunResult run)
    {
        var result = run.Train;
        static JsonObject? Metrics(IReadOnlyDictionary<string, double>? m) =>
            m is null ? null : new JsonObject(m.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)(double.IsFinite(p.Value) ? p.Value : null))));
        var json = new JsonObject
        {
            ["method"] = settings.MethodName,
            ["steps"] = result.Steps,
            ["train_seconds"] = Math.Round(result.TrainTime.TotalSeconds, 2),
            ["peak_resident_mb"] = result.PeakResidentBytes / (1024 * 1024),
            ["last_loss"] = double.IsFinite(result.LastLoss) ? result.LastLoss : null,
            ["trainable_parameters"] = run.TrainableParameters,
            ["all_parameters"] = run.AllParameters,
            ["trainable_percent"] = Math.Round(run.TrainablePercent, 4),
            ["stopped_early"] = result.StoppedEarly,
            ["eval"] = Metrics(result.FinalMetrics),
            ["eval_examples"] = run.EvalExamples,
            ["eval_split"] = settings.EvalSplit,
            ["test"] = Metrics(run.TestMetrics),
            ["test_examples"] = run.TestExamples,
            ["effective_rank"] = new JsonObject(run.EffectiveRanks.Select(r => KeyValuePair.Create(r.Path, (JsonNode?)r.Rank))),
        };
        AtomicFile.WriteAllText(Path.Combine(settings.OutputDirectory, FinalMetricsFile), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
