using System.Diagnostics;
using PeftSharp.Data;
using PeftSharp.Evaluation;
using PeftSharp.IO;
using PeftSharp.Tuners;
using static TorchSharp.torch;

namespace PeftSharp.Training;

/// <summary>
/// The training loop: seeded data order, gradient accumulation, clipping, AdamW/SGD with a scheduled learning rate,
/// the method's hooks every step, evaluation, early stopping, checkpoints, exact resume, and Ctrl-C handling
/// (cancel the token: a checkpoint is written and the result says Interrupted). The output folder is held exclusively
/// while training (<see cref="OutputFolder"/>); a new run refuses a folder holding an earlier run's checkpoints, a
/// resume refuses a checkpoint of a run with other settings (<see cref="RunFingerprint"/>) and accepts only a changed
/// length: the learning-rate schedule and every schedule derived from the run's length are then recomputed for the
/// new number of steps, from the step the checkpoint is at.
/// </summary>
public sealed class Trainer
{
    private readonly ITrainable trainable;
    private readonly ITrainingTask task;
    private readonly IEvaluator? evaluator;
    private readonly TrainerOptions options;
    private readonly ITrainingObserver observer;

    public Trainer(ITrainable trainable, ITrainingTask task, IEvaluator? evaluator, TrainerOptions options, ITrainingObserver? observer = null)
    {
        options.Validate();
        if (task.TrainExamples.Count == 0) throw new PeftSharpException("the training data has no examples");
        if (options.EarlyStoppingMetric is not null && evaluator is null) throw new PeftSharpException("early stopping needs evaluation data");
        (this.trainable, this.task, this.evaluator, this.options) = (trainable, task, evaluator, options);
        this.observer = observer ?? new SilentObserver();
    }

    public long TotalSteps => options.TotalSteps(task.TrainExamples.Count);

    /// <summary>The output folder, already claimed by the caller (a workflow that holds it for longer than training); null: Train claims it.</summary>
    internal OutputFolder? Folder { get; init; }

    /// <summary>The checkpoint <paramref name="path"/> names (a checkpoint folder or an output folder's newest), with the command line its run recorded.</summary>
    public static ResumePoint FindResumePoint(string path) => TrainingCheckpoint.FindResumePoint(path);

    public TrainResult Train(CancellationToken cancel = default)
    {
        using var claimed = Folder is null ? OutputFolder.Claim(options.OutputDirectory, nameof(TrainerOptions.OutputDirectory), [], acceptExisting: true) : null;
        TrainingCheckpoint.Recover(options.OutputDirectory);
        if (options.ResumeFrom is null && TrainingCheckpoint.List(options.OutputDirectory).LastOrDefault().Path is { } earlier)
            throw new InvalidOptionException(nameof(TrainerOptions.OutputDirectory), options.OutputDirectory,
                $"holds checkpoints of an earlier run ({Path.GetFileName(earlier)}); resume that run or write elsewhere (a new run must not mix its checkpoints with them)")
            {
                Remedies = ["ResumeFrom", "Overwrite"],
            };
        var trainables = trainable.TrainableParameters();
        if (trainables.Count == 0) throw new PeftSharpException("nothing to train: the model has no trainable parameters");
        var fingerprint = RunFingerprint.Of(trainable, task, options); // before anything trains or is restored
        var groups = trainable.ParameterGroups(options.LearningRate, options.WeightDecay);
        using Optimizer optimizer = options.Optimizer == OptimizerKind.AdamW ? new AdamW(groups) : new Sgd(groups);
        int warmup = options.EffectiveWarmupSteps(TotalSteps);
        var schedule = new LearningRateSchedule(options.Schedule, warmup, TotalSteps);

        trainable.PrepareTraining(TotalSteps, warmup);
        var progress = new TrainingProgress();
        if (options.ResumeFrom is { } resume)
        {
            var checkpoint = TrainingCheckpoint.Find(resume);
            (progress, long recordedTotal) = TrainingCheckpoint.Load(checkpoint, trainable, optimizer, fingerprint, TotalSteps);
            observer.OnMessage($"resumed from {checkpoint} at step {progress.GlobalStep}");
            if (recordedTotal != TotalSteps)
                observer.OnMessage($"the run now has {TotalSteps} steps instead of {recordedTotal}: from step {progress.GlobalStep} on, the learning-rate schedule (and any schedule derived from the run's length) follows {TotalSteps} steps");
        }
        else
        {
            manual_seed(options.Seed);
        }
        using var log = new MetricsLog(options.OutputDirectory, keepUpToStep: options.ResumeFrom is null ? null : progress.GlobalStep);
        observer.OnStart(TotalSteps, progress.GlobalStep);
        var clock = new Stopwatch();
        var elapsedBefore = TimeSpan.FromSeconds(progress.ElapsedSeconds); // training time of the run before it was resumed
        TimeSpan Elapsed() => elapsedBefore + clock.Elapsed;
        void Save() => SaveCheckpoint(optimizer, progress with { ElapsedSeconds = Elapsed().TotalSeconds }, log, fingerprint);
        if (options.SaveInitial && progress.GlobalStep == 0) Save();

        var data = task.TrainExamples;
        long microBatchesPerEpoch = (data.Count + options.BatchSize - 1) / options.BatchSize;
        var order = EpochOrder(progress.Epoch);
        ProcessMemory.ReleaseFreeMemory(); // the baseline must not count memory an earlier run freed but kept cached
        clock.Start();
        long startMemory = ProcessMemory.ResidentBytes(), peakMemory = startMemory, tokensSinceLog = 0, startStep = progress.GlobalStep;
        double lossSinceLog = 0, regSinceLog = 0, lastLoss = double.NaN, lastGradNorm = 0;
        int stepsSinceLog = 0;
        bool hasRegularization = false;
        var device = trainables[0].Parameter.device;
        var sinceLog = Stopwatch.StartNew();
        bool stoppedEarly = false, interrupted = false;
        IReadOnlyDictionary<string, double>? lastMetrics = null;
        trainable.Module.train();

        while (progress.GlobalStep < TotalSteps)
        {
            if (cancel.IsCancellationRequested) { interrupted = true; break; }
            if (progress.MicroBatchInEpoch >= microBatchesPerEpoch)
            {
                progress = progress with { Epoch = progress.Epoch + 1, MicroBatchInEpoch = 0 };
                order = EpochOrder(progress.Epoch);
            }
            long step = progress.GlobalStep;
            int microBatches = (int)Math.Min(options.GradientAccumulation, microBatchesPerEpoch - progress.MicroBatchInEpoch);
            double stepLoss = 0, stepReg = 0;
            for (int m = 0; m < microBatches; m++)
            {
                using var scope = NewDisposeScope();
                int start = (int)(progress.MicroBatchInEpoch * options.BatchSize);
                var examples = order[start..Math.Min(start + options.BatchSize, data.Count)].Select(i => data[i]).ToList();
                var batch = Collator.Collate(examples, task.PadTokenId, device);
                var loss = task.Loss(batch);
                var reg = trainable.RegularizationLoss();
                double lossValue = loss.item<float>();
                if (!double.IsFinite(lossValue))
                    throw new PeftSharpException(
                        $"the loss became {lossValue} at step {step}; training stopped. Lower --lr or use --max-grad-norm; the last good checkpoint is {LastCheckpointDescription()}");
                var objective = reg is null ? loss : loss + reg;
                (objective / microBatches).backward();
                stepLoss += lossValue / microBatches;
                if (reg is not null) { stepReg += reg.item<float>() / microBatches; hasRegularization = true; }
                tokensSinceLog += batch.TokenCount;
                progress = progress with { MicroBatchInEpoch = progress.MicroBatchInEpoch + 1 };
            }
            lastGradNorm = GradientClipping.ClipByGlobalNorm(trainables.Select(t => (Tensor)t.Parameter), options.MaxGradNorm);
            optimizer.ScaleLearningRates(schedule.Multiplier(step));
            optimizer.Step();
            trainable.AfterOptimizerStep();
            optimizer.ZeroGrad();
            progress = progress with { GlobalStep = step + 1 };
            lastLoss = stepLoss;
            lossSinceLog += stepLoss; regSinceLog += stepReg; stepsSinceLog++;
            peakMemory = Math.Max(peakMemory, ProcessMemory.ResidentBytes());

            bool last = progress.GlobalStep == TotalSteps;
            if (progress.GlobalStep % options.LoggingSteps == 0 || last)
            {
                double perStep = clock.Elapsed.TotalSeconds / Math.Max(1, progress.GlobalStep - startStep);
                var report = new StepReport(progress.GlobalStep, TotalSteps, progress.Epoch, lossSinceLog / stepsSinceLog,
                    hasRegularization ? regSinceLog / stepsSinceLog : null,
                    optimizer.LearningRates[0], lastGradNorm, tokensSinceLog / Math.Max(1e-9, sinceLog.Elapsed.TotalSeconds),
                    Elapsed(), TimeSpan.FromSeconds(perStep * (TotalSteps - progress.GlobalStep)));
                log.Add(MetricsLog.StepEntry(report));
                observer.OnStep(report);
                (lossSinceLog, regSinceLog, stepsSinceLog, tokensSinceLog) = (0, 0, 0, 0);
                sinceLog.Restart();
            }
            if (evaluator is not null && options.EvalSteps > 0 && progress.GlobalStep % options.EvalSteps == 0 && !last)
            {
                lastMetrics = Evaluate(log, progress.GlobalStep);
                (progress, stoppedEarly) = TrackBest(progress, lastMetrics);
            }
            if (options.SaveSteps > 0 && progress.GlobalStep % options.SaveSteps == 0) Save();
            if (stoppedEarly) { observer.OnMessage($"early stopping at step {progress.GlobalStep}: no improvement of {options.EarlyStoppingMetric} in {options.EarlyStoppingPatience} evaluations"); break; }
        }
        var trainTime = Elapsed();

        if (interrupted)
        {
            if (!(options.SaveSteps > 0 && progress.GlobalStep % options.SaveSteps == 0)) Save();
            observer.OnMessage($"interrupted at step {progress.GlobalStep}; checkpoint written to {TrainingCheckpoint.PathFor(options.OutputDirectory, progress.GlobalStep)}");
        }
        else
        {
            trainable.OnTrainingFinished(); // the final evaluation sees what the saved result computes when loaded
            if (evaluator is not null) { lastMetrics = Evaluate(log, progress.GlobalStep); (progress, _) = TrackBest(progress, lastMetrics); }
            TrainingCheckpoint.RequireFinite(trainable, progress.GlobalStep, LastCheckpointDescription());
            trainable.SaveResult(options.OutputDirectory);
        }
        TrainingPlots.Write(options.OutputDirectory, log.Entries);
        return new TrainResult(progress.GlobalStep, interrupted, stoppedEarly, lastMetrics, evaluator?.PrimaryMetric, progress.BestMetric, progress.BestStep,
            lastLoss, trainTime, peakMemory, startMemory);
    }

    /// <summary>The example order of an epoch: a seeded Fisher–Yates permutation, the same in a resumed run.</summary>
    private int[] EpochOrder(int epoch)
    {
        var order = Enumerable.Range(0, task.TrainExamples.Count).ToArray();
        if (!options.Shuffle) return order;
        var random = new Random(unchecked(options.Seed * 1_000_003 + epoch));
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>Evaluates without disturbing the training RNG stream, then returns to training mode.</summary>
    private IReadOnlyDictionary<string, double> Evaluate(MetricsLog log, long step)
    {
        using var rng = get_rng_state();
        trainable.Module.eval();
        IReadOnlyDictionary<string, double> metrics;
        using (no_grad()) metrics = evaluator!.Evaluate();
        trainable.Module.train();
        set_rng_state(rng);
        log.Add(MetricsLog.EvalEntry(step, metrics));
        observer.OnEvaluation(step, metrics, evaluator!.ExampleCount);
        return metrics;
    }

    private (TrainingProgress, bool StopEarly) TrackBest(TrainingProgress progress, IReadOnlyDictionary<string, double> metrics)
    {
        var name = options.EarlyStoppingMetric ?? evaluator!.PrimaryMetric;
        if (!metrics.TryGetValue(name, out var value))
            throw new PeftSharpException($"early stopping metric '{name}' is not reported by the evaluator (it reports: {string.Join(", ", metrics.Keys)})");
        bool higher = options.EarlyStoppingMetric is null || name == evaluator!.PrimaryMetric ? evaluator!.HigherIsBetter : !name.Contains("loss", StringComparison.Ordinal);
        bool improved = progress.BestMetric is not { } best || (higher ? value > best : value < best);
        progress = improved
            ? progress with { BestMetric = value, BestStep = progress.GlobalStep, EvaluationsWithoutImprovement = 0 }
            : progress with { EvaluationsWithoutImprovement = progress.EvaluationsWithoutImprovement + 1 };
        return (progress, options.EarlyStoppingMetric is not null && progress.EvaluationsWithoutImprovement >= options.EarlyStoppingPatience);
    }

    private void SaveCheckpoint(Optimizer optimizer, TrainingProgress progress, MetricsLog log, RunFingerprint fingerprint)
    {
        TrainingCheckpoint.RequireFinite(trainable, progress.GlobalStep, LastCheckpointDescription());
        log.Sync();
        TrainingCheckpoint.Save(options.OutputDirectory, trainable, optimizer, progress, fingerprint, TotalSteps, options.CommandLine);
        TrainingCheckpoint.Prune(options.OutputDirectory, options.KeepLastCheckpoints);
    }

    private string LastCheckpointDescription()
    {
        var newest = TrainingCheckpoint.List(options.OutputDirectory).LastOrDefault();
        return newest.Path ?? "(none written yet)";
    }

    private sealed class SilentObserver : ITrainingObserver
    { }
}
