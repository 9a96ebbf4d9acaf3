using PeftSharp.Data;
using PeftSharp.Evaluation.Generation;
using PeftSharp.Training;
using PeftSharp.Tuners;
using static TorchSharp.torch;

namespace PeftSharp.Workflows;

/// <summary>Everything one training run needs: where things are, the task, the method and the loop settings.</summary>
public sealed record TrainSettings
{
    /// <summary>The HuggingFace model folder.</summary>
    public required string ModelDirectory { get; init; }
    /// <summary>The training data (file or GLUE folder).</summary>
    public required string DataPath { get; init; }
    /// <summary>Evaluation data, evaluated during and after training.</summary>
    public string? EvalDataPath { get; init; }
    /// <summary>Test data, evaluated once after training.</summary>
    public string? TestDataPath { get; init; }
    /// <summary>Where the adapter (or model), metrics and plots go.</summary>
    public required string OutputDirectory { get; init; }
    /// <summary>The task; null = detected from the data file.</summary>
    public TaskSpec? Task { get; init; }
    /// <summary>
    /// The method's configuration: an adapter config (e.g. <c>PeftMethods.Get("dual-lora").ForBudget(8)</c> or a config
    /// you build), or null for full fine-tuning. Null target modules mean the architecture's PEFT default.
    /// </summary>
    public AdapterConfig? Adapter { get; init; }
    /// <summary>Longest sequence in tokens (null = the model's context; 512 for classification), capped at the model's context; longer examples are truncated with a warning.</summary>
    public int? MaxLength { get; init; }
    /// <summary>Initialise the model randomly from config.json instead of loading weights (pretraining).</summary>
    public bool FromScratch { get; init; }
    /// <summary>Concatenate causal-LM texts and cut them into blocks of MaxLength (pretraining).</summary>
    public bool Pack { get; init; }
    /// <summary>The commonsense template with the reference implementation's exact whitespace.</summary>
    public bool ReferenceIndentation { get; init; }
    public double LabelSmoothing { get; init; }
    /// <summary>
    /// The dtype the model's weights are stored and multiplied in. bfloat16 or float16 train in mixed precision: the frozen
    /// weights in that dtype, adapters (unless <see cref="AdapterInBaseDtype"/>), gradients of trained weights' master
    /// copies, optimizer state, norms, softmax and the loss in float32 (docs/precision.md).
    /// </summary>
    public ScalarType Dtype { get; init; } = ScalarType.Float32;
    /// <summary>Adapters over a bfloat16/float16 model in that dtype (with float32 master copies) instead of float32.</summary>
    public bool AdapterInBaseDtype { get; init; }
    /// <summary>Recompute each transformer block's activations in backward instead of keeping them (<see cref="Models.IPretrainedModel.GradientCheckpointing"/>).</summary>
    public bool GradientCheckpointing { get; init; }
    /// <summary>The device to train on ("cpu", "cuda", "cuda:1").</summary>
    public string Device { get; init; } = "cpu";
    public int EvalBatchSize { get; init; } = 32;
    /// <summary>Evaluate on at most this many examples of the evaluation data (null = all).</summary>
    public int? EvalMaxExamples { get; init; }
    /// <summary>Without <see cref="EvalDataPath"/>: hold out this fraction of the training data for evaluation (the same examples every run).</summary>
    public double? EvalSplit { get; init; }
    /// <summary>Test on at most this many examples of the test data (null = all); independent of <see cref="EvalMaxExamples"/>.</summary>
    public int? TestMaxExamples { get; init; }
    /// <summary>
    /// Decoding for generation-evaluated tasks (E2E, commonsense, prompt/completion with references); unset options come
    /// from the model's generation_config.json, else 32 new tokens.
    /// </summary>
    public GenerationOptions Generation { get; init; } = new();
    /// <summary>Write into an output folder that already holds files: an earlier run's checkpoints and logs there are removed first, its results replaced at the end.</summary>
    public bool Overwrite { get; init; }
    public required TrainerOptions Trainer { get; init; }

    /// <summary>The method's name ("lora", "dual-lora", "full", …).</summary>
    public string MethodName => PeftMethods.NameOf(Adapter);

    internal DataOptions Data => new(Pack, ReferenceIndentation, EvalMaxExamples, EvalSplit);

    /// <summary>What the run reads, which its output must neither be, lie inside nor contain.</summary>
    internal IReadOnlyList<(string What, string? Path)> Inputs =>
        [("the model folder", ModelDirectory), ("the training data", DataPath), ("the evaluation data", EvalDataPath), ("the test data", TestDataPath)];

    /// <summary>Checks the settings that need no file; throws <see cref="InvalidOptionException"/> naming the first bad one.</summary>
    public void Validate()
    {
        Trainer.Validate();
        Adapter?.Validate();
        if (MaxLength is < 2) throw new InvalidOptionException(nameof(TrainSettings), nameof(MaxLength), "≥ 2", MaxLength);
        if (EvalBatchSize < 1) throw new InvalidOptionException(nameof(TrainSettings), nameof(EvalBatchSize), "≥ 1", EvalBatchSize);
        if (EvalMaxExamples is < 1) throw new InvalidOptionException(nameof(TrainSettings), nameof(EvalMaxExamples), "≥ 1", EvalMaxExamples);
        if (EvalSplit is { } split && !(split is > 0 and < 1)) throw new InvalidOptionException(nameof(TrainSettings), nameof(EvalSplit), "a fraction in (0, 1)", split);
        if (EvalSplit is not null && EvalDataPath is not null)
            throw new InvalidOptionException(nameof(TrainSettings), nameof(EvalSplit), "left out when evaluation data is given (one or the other)", EvalSplit);
        if (TestMaxExamples is < 1) throw new InvalidOptionException(nameof(TrainSettings), nameof(TestMaxExamples), "≥ 1", TestMaxExamples);
    }
}
