namespace PeftSharp.Training;

public enum OptimizerKind { AdamW, Sgd }

/// <summary>Everything the training loop needs to know; validated in one place.</summary>
public sealed record TrainerOptions
{
    public required string OutputDirectory { get; init; }
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdamW;
    public double LearningRate { get; init; } = 2e-4;
    public double WeightDecay { get; init; }
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Linear;
    public int WarmupSteps { get; init; }
    /// <summary>Warm-up as a fraction of the total steps (rounded up); overrides <see cref="WarmupSteps"/> when set.</summary>
    public double? WarmupRatio { get; init; }
    public int Epochs { get; init; } = 1;
    /// <summary>Stop after this many optimizer steps (overrides <see cref="Epochs"/> when &gt; 0).</summary>
    public long MaxSteps { get; init; }
    public int BatchSize { get; init; } = 8;
    public int GradientAccumulation { get; init; } = 1;
    /// <summary>Global gradient-norm clip; 0 = off.</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    public int Seed { get; init; } = 42;
    public bool Shuffle { get; init; } = true;
    /// <summary>Evaluate every N optimizer steps (0 = only at the end).</summary>
    public int EvalSteps { get; init; }
    /// <summary>Write a checkpoint every N optimizer steps (0 = none).</summary>
    public int SaveSteps { get; init; }
    /// <summary>Write checkpoint-0 before the first update.</summary>
    public bool SaveInitial { get; init; }
    /// <summary>Keep only the newest K checkpoints (0 = keep all).</summary>
    public int KeepLastCheckpoints { get; init; }
    public int LoggingSteps { get; init; } = 10;
    /// <summary>Metric (without "eval_") to stop early on; null = no early stopping.</summary>
    public string? EarlyStoppingMetric { get; init; }
    public int EarlyStoppingPatience { get; init; } = 3;
    /// <summary>A checkpoint folder, or an output folder whose newest checkpoint is resumed.</summary>
    public string? ResumeFrom { get; init; }
    /// <summary>
    /// The command line that started the run, recorded in its checkpoints so that a front end can resume the run from a
    /// checkpoint alone (the CLI records the options it was given; see <see cref="Trainer.FindResumePoint"/>). The
    /// trainer does not interpret it.
    /// </summary>
    public IReadOnlyList<string>? CommandLine { get; init; }

    public void Validate()
    {
        static InvalidOptionException Bad(string option, string expected, object value) => new(nameof(TrainerOptions), option, expected, value);
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw Bad(nameof(LearningRate), "a positive number", LearningRate);
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) throw Bad(nameof(WeightDecay), "≥ 0", WeightDecay);
        if (WarmupSteps < 0) throw Bad(nameof(WarmupSteps), "≥ 0", WarmupSteps);
        if (WarmupRatio is { } ratio && !(ratio is >= 0 and <= 1)) throw Bad(nameof(WarmupRatio), "in [0, 1]", ratio);
        if (Epochs < 1 && MaxSteps <= 0) throw Bad(nameof(Epochs), "≥ 1 (or give MaxSteps)", Epochs);
        if (MaxSteps < 0) throw Bad(nameof(MaxSteps), "≥ 0", MaxSteps);
        if (BatchSize < 1) throw Bad(nameof(BatchSize), "≥ 1", BatchSize);
        if (GradientAccumulation < 1) throw Bad(nameof(GradientAccumulation), "≥ 1", GradientAccumulation);
        if (!(MaxGradNorm >= 0) || double.IsInfinity(MaxGradNorm)) throw Bad(nameof(MaxGradNorm), "≥ 0", MaxGradNorm);
        if (EvalSteps < 0) throw Bad(nameof(EvalSteps), "≥ 0", EvalSteps);
        if (SaveSteps < 0) throw Bad(nameof(SaveSteps), "≥ 0", SaveSteps);
        if (KeepLastCheckpoints < 0) throw Bad(nameof(KeepLastCheckpoints), "≥ 0", KeepLastCheckpoints);
        if (LoggingSteps < 1) throw Bad(nameof(LoggingSteps), "≥ 1", LoggingSteps);
        if (EarlyStoppingPatience < 1) throw Bad(nameof(EarlyStoppingPatience), "≥ 1", EarlyStoppingPatience);
    }

    /// <summary>Optimizer steps per epoch for <paramref name="examples"/> training examples (the last partial batch counts).</summary>
    public long StepsPerEpoch(int examples) => Math.Max(1, (long)Math.Ceiling((double)Math.Max(1, examples) / BatchSize / GradientAccumulation));

    public long TotalSteps(int examples) => MaxSteps > 0 ? MaxSteps : StepsPerEpoch(examples) * Epochs;

    /// <summary>The learning-rate warm-up of a run of <paramref name="totalSteps"/> steps.</summary>
    public int EffectiveWarmupSteps(long totalSteps) => WarmupRatio is { } ratio ? (int)Math.Ceiling(ratio * totalSteps) : WarmupSteps;
}
