using PeftSharp.Evaluation.Generation;
using PeftSharp.Training;

namespace PeftSharp.Workflows;

/// <summary>Everything <c>peft train</c> needs: where things are, the task, the method and the loop settings.</summary>
public sealed record TrainSettings
{
    public required string ModelDirectory { get; init; }
    public required string DataPath { get; init; }
    public string? EvalDataPath { get; init; }
    public required string OutputDirectory { get; init; }
    /// <summary>auto | causal-lm | classification | glue/&lt;task&gt; | commonsense[/&lt;task&gt;] | e2e.</summary>
    public string Task { get; init; } = "auto";
    /// <summary>Longest sequence in tokens (null = the model's context; 512 for classification), capped at the model's context; longer examples are truncated with a warning.</summary>
    public int? MaxLength { get; init; }
    /// <summary>Initialise the model randomly from config.json instead of loading weights (pretraining).</summary>
    public bool FromScratch { get; init; }
    /// <summary>Concatenate causal-LM texts and cut them into blocks of MaxLength (pretraining).</summary>
    public bool Pack { get; init; }
    /// <summary>The commonsense template with the reference implementation's exact whitespace.</summary>
    public bool ReferenceIndentation { get; init; }
    public double LabelSmoothing { get; init; }
    public string Dtype { get; init; } = "float32";
    public string Device { get; init; } = "cpu";
    public int EvalBatchSize { get; init; } = 32;
    /// <summary>Evaluate on at most this many examples (null = all).</summary>
    public int? EvalMaxExamples { get; init; }
    /// <summary>Decoding for generation-evaluated tasks (E2E, commonsense, prompt/completion with references).</summary>
    public GenerationOptions Generation { get; init; } = new() { MaxNewTokens = 32 };
    public double? WarmupRatio { get; init; }
    public required MethodSettings Method { get; init; }
    public required TrainerOptions Trainer { get; init; }

    internal DataOptions Data => new(Pack, ReferenceIndentation, EvalMaxExamples);
}
