using PeftSharp.Data;
using PeftSharp.Evaluation;
using PeftSharp.Evaluation.Generation;
using PeftSharp.Models;
using PeftSharp.Tokenization;
using static TorchSharp.torch;

namespace PeftSharp.Workflows;

/// <summary>What <c>peft eval</c> evaluates and how.</summary>
public sealed record EvalSettings
{
    public required string ModelDirectory { get; init; }
    public string? AdapterDirectory { get; init; }
    public required string DataPath { get; init; }
    /// <summary>The task; null = detected from the data file.</summary>
    public TaskSpec? Task { get; init; }
    /// <summary>Longest sequence in tokens, as in <see cref="TrainSettings.MaxLength"/>.</summary>
    public int? MaxLength { get; init; }
    /// <summary>Merge the adapter into the base weights before evaluating (the result must equal the unmerged one).</summary>
    public bool Merge { get; init; }
    public bool ReferenceIndentation { get; init; }
    public int BatchSize { get; init; } = 32;
    public int? MaxExamples { get; init; }
    /// <summary>Generation for generation-evaluated tasks; unset options come from the model's generation_config.json, else 32 new tokens.</summary>
    public GenerationOptions Generation { get; init; } = new();
    public ScalarType Dtype { get; init; } = ScalarType.Float32;
    public string Device { get; init; } = "cpu";
}

/// <summary>What <c>peft eval</c> measured: the metrics and how many examples they are over.</summary>
public sealed record EvalResult(IReadOnlyDictionary<string, double> Metrics, int Examples);

/// <summary><c>peft eval</c>: a model, optionally with an adapter (merged or not), on evaluation data.</summary>
public static class EvalWorkflow
{
    /// <summary>The metrics and the number of examples they are over; <paramref name="progress"/> gets (done, total) examples after every batch.</summary>
    public static EvalResult Run(EvalSettings settings, Action<string>? warn = null, Action<long, long>? progress = null)
    {
        warn ??= _ => { };
        var tokenizer = new DeferredTokenizer(settings.ModelDirectory); // loaded only if text must be tokenized or generated
        var task = settings.Task ?? TaskSpec.Detect(settings.DataPath);
        var maxLength = TaskData.MaxLength(settings.MaxLength, task, PretrainedModelLoader.LoadConfig(settings.ModelDirectory));
        // A trained classifier's classes are fixed: the data is checked against them row by row (file:line), not the other way round.
        var (numLabels, names, from) = task.IsClassification ? ModelSession.Classes(settings.ModelDirectory, settings.AdapterDirectory) : (null, null, null);
        var data = TaskData.Prepare(task, null, settings.DataPath, tokenizer, maxLength,
            new DataOptions(ReferenceIndentation: settings.ReferenceIndentation, EvalMaxExamples: settings.MaxExamples), warn, numLabels, names, from);
        using var scope = NewDisposeScope();
        using var session = ModelSession.Open(settings.ModelDirectory, settings.AdapterDirectory, task.IsClassification ? data.NumLabels : null,
            settings.Dtype, Devices.Resolve(settings.Device), warn);
        if (settings.Merge) session.Peft?.Merge();
        var generation = session.Model is ICausalLanguageModel lm
            ? WorkflowGeneration.Resolve(settings.Generation, settings.ModelDirectory, tokenizer.IfAvailable, lm.EosTokenIds, warn)
            : settings.Generation;
        var evaluator = EvaluatorFactory.Build(session.Model, tokenizer, data, generation, settings.BatchSize, tokenizer.PadId,
                progress is null ? null : new EvaluationProgress(progress))
            ?? throw new PeftSharpException($"{settings.DataPath}: nothing to evaluate for task {task.Kind}");
        using var noGrad = no_grad();
        return new EvalResult(evaluator.Evaluate(), evaluator.ExampleCount);
    }
}
