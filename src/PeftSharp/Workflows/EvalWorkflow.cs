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
    public GenerationOptions Generation { get; init; } = new() { MaxNewTokens = 32 };
    public ScalarType Dtype { get; init; } = ScalarType.Float32;
    public string Device { get; init; } = "cpu";
}

/// <summary><c>peft eval</c>: a model, optionally with an adapter (merged or not), on evaluation data.</summary>
public static class EvalWorkflow
{
    public static IReadOnlyDictionary<string, double> Run(EvalSettings settings, Action<string>? warn = null)
    {
        warn ??= _ => { };
        var tokenizer = new DeferredTokenizer(settings.ModelDirectory); // loaded only if text must be tokenized or generated
        var task = settings.Task ?? TaskSpec.Detect(settings.DataPath);
        var maxLength = TaskData.MaxLength(settings.MaxLength, task, PretrainedModelLoader.LoadConfig(settings.ModelDirectory));
        var data = TaskData.Prepare(task, null, settings.DataPath, tokenizer, maxLength,
            new DataOptions(ReferenceIndentation: settings.ReferenceIndentation, EvalMaxExamples: settings.MaxExamples), warn);
        using var scope = NewDisposeScope();
        using var session = ModelSession.Open(settings.ModelDirectory, settings.AdapterDirectory, task.IsClassification ? data.NumLabels : null,
            settings.Dtype, Devices.Resolve(settings.Device), warn);
        if (settings.Merge) session.Peft?.Merge();
        var evaluator = EvaluatorFactory.Build(session.Model, tokenizer, data, settings.Generation, settings.BatchSize, tokenizer.PadId)
            ?? throw new PeftSharpException($"{settings.DataPath}: nothing to evaluate for task {task.Kind}");
        using var noGrad = no_grad();
        return evaluator.Evaluate();
    }
}
