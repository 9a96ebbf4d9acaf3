using System.Diagnostics;
using System.Globalization;
using PeftSharp.Data;
using PeftSharp.Evaluation;
using PeftSharp.Tuners;
using static TorchSharp.torch;

namespace PeftSharp.Training;

/// <summary>
/// The training loop: seeded data order, gradient accumulation, clipping, AdamW/SGD with a scheduled learning rate,
/// the method's hooks every step, evaluation, early stopping, checkpoints, exact resume, and Ctrl-C handling
/// (cancel the token: a checkpoint is written and the result says Interrupted).
/// </summary>
public sealed class Trainer
{
    readonly ITrainable trainable;
    readonly ITrainingTask task;
    readonly IEvaluator? evaluator;
    readonly TrainerOptions options;
    readonly ITrainingObserver observer;

    public Trainer(ITrainable trainable, ITrainingTask task, IEvaluator? evaluator, TrainerOptions options, ITrainingObserver? observer = null)
    {
        options.Validate();
        if (task.TrainExamples.Count == 0) throw new PeftSharpException("the training data has no examples");
        if (options.EarlyStoppingMetric is not null && evaluator is null) throw new PeftSharpException("early stopping needs evaluation data");
        (this.trainable, this.task, this.evaluator, this.options) = (trainable, task, evaluator, options);
        this.observer = observer ?? new SilentObserver();
    }

    public long TotalSteps => options.TotalSteps(task.TrainExamples.Count);

    /// <summary>
    /// Identifies the run settings; a checkpoint resumes only into a run with the same fingerprint. It includes the
    /// precision (the dtypes of the weights and of what trains); not activation checkpointing, which changes no result.
    /// </summary>
    string Fingerprint => string.Create(CultureInfo.InvariantCulture,
        $"{trainable.MethodName}|seed={options.Seed}|n={task.TrainExamples.Count}|batch={options.BatchSize}x{options.GradientAccumulation}|steps={TotalSteps}|{options.Optimizer}|lr={options.LearningRate}|{options.Schedule}/{options.WarmupSteps}|shuffle={options.Shuffle}|{Precision}");

    /// <summary>"weights=Float32+BFloat16,trained=Float32": the dtypes of all parameters and of the trained ones.</summary>
    string Precision
    {
        get
        {
            static string Dtypes(IEnumerable<ScalarType> dtypes) => string.Join("+", dtypes.Distinct().Order());
            return $"weights={Dtypes(trainable.Module.parameters().Select(p => p.dtype))},trained={Dtypes(trainable.TrainableParameters().Select(t => t.Parameter.dtype))}";
        }
    }

    public TrainResult Train(CancellationToken cancel = default)
    {
        Directory.CreateDirectory(options.OutputDirectory);
        var trainables = trainable.TrainableParameters();
        if (trainables.Count == 0) throw new PeftSharpException("nothing to train: the model has no trainable parameters");
        var groups = trainable.ParameterGroups(options.LearningRate, options.WeightDecay);
        using Optimizer optimizer = options.Optimizer == OptimizerKind.AdamW ? new AdamW(groups) : new Sgd(groups);
        var schedule = new LearningRateSchedule(options.Schedule, options.WarmupSteps, TotalSteps);

        trainable.PrepareTraining(TotalSteps, options.WarmupSteps);
        var progress = new TrainingProgress();
        if (options.ResumeFrom is { } resume)
        {
            var checkpoint = TrainingCheckpoint.Resolve(resume);
            progress = TrainingCheckpoint.Load(checkpoint, trainable, optimizer, Fingerprint);
            observer.OnMessage($"resumed from {checkpoint} at step {progress.GlobalStep}");
        }
        else
        {
            manual_seed(options.Seed);
        }
        var log = new MetricsLog(options.OutputDirectory, keepUpToStep: options.ResumeFrom is null ? -1 : progress.GlobalStep);
        observer.OnStart(TotalSteps, progress.GlobalStep);
        if (options.SaveInitial && progress.GlobalStep == 0) SaveCheckpoint(optimizer, progress);

        var data = task.TrainExamples;
        long microBatchesPerEpoch = (data.Count + options.BatchSize - 1) / options.BatchSize;
        var order = EpochOrder(progress.Epoch);
        ProcessMemory.ReleaseFreeMemory(); // the baseline must not count memory an earlier run freed but kept cached
        var clock = Stopwatch.StartNew();
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
                var elapsed = clock.Elapsed;
                double perStep = elapsed.TotalSeconds / Math.Max(1, progress.GlobalStep - startStep);
                var report = new StepReport(progress.GlobalStep, TotalSteps, progress.Epoch, lossSinceLog / stepsSinceLog,
                    hasRegularization ? regSinceLog / stepsSinceLog : null,
                    optimizer.LearningRates[0], lastGradNorm, tokensSinceLog / Math.Max(1e-9, sinceLog.Elapsed.TotalSeconds),
                    elapsed, TimeSpan.FromSeconds(perStep * (TotalSteps - progress.GlobalStep)));
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
            if (options.SaveSteps > 0 && progress.GlobalStep % options.SaveSteps == 0) SaveCheckpoint(optimizer, progress);
            if (stoppedEarly) { observer.OnMessage($"early stopping at step {progress.GlobalStep}: no improvement of {options.EarlyStoppingMetric} in {options.EarlyStoppingPatience} evaluations"); break; }
        }
        var trainTime = clock.Elapsed;

        if (interrupted)
        {
            if (!(options.SaveSteps > 0 && progress.GlobalStep % options.SaveSteps == 0)) SaveCheckpoint(optimizer, progress);
            observer.OnMessage($"interrupted at step {progress.GlobalStep}; checkpoint written to {TrainingCheckpoint.PathFor(options.OutputDirectory, progress.GlobalStep)}");
        }
        else
        {
            trainable.OnTrainingFinished(); // the final evaluation sees what the saved result computes when loaded
            if (evaluator is not null) { lastMetrics = Evaluate(log, progress.GlobalStep); (progress, _) = TrackBest(progress, lastMetrics); }
            trainable.SaveResult(options.OutputDirectory);
        }
        TrainingPlots.Write(options.OutputDirectory, log.Entries);
        return new TrainResult(progress.GlobalStep, interrupted, stoppedEarly, lastMetrics, evaluator?.PrimaryMetric, progress.BestMetric, progress.BestStep,
            lastLoss, trainTime, peakMemory, startMemory);
    }

    /// <summary>The example order of an epoch: a seeded Fisher–Yates permutation, the same in a resumed run.</summary>
    int[] EpochOrder(int epoch)
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
    IReadOnlyDictionary<string, double> Evaluate(MetricsLog log, long step)
    {
        using var rng = get_rng_state();
        trainable.Module.eval();
        IReadOnlyDictionary<string, double> metrics;
        using (no_grad()) metrics = evaluator!.Evaluate();
        trainable.Module.train();
        set_rng_state(rng);
        log.Add(MetricsLog.EvalEntry(step, metrics));
        observer.OnEvaluation(step, metrics);
        return metrics;
    }

    (TrainingProgress, bool StopEarly) TrackBest(TrainingProgress progress, IReadOnlyDictionary<string, double> metrics)
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

    void SaveCheckpoint(Optimizer optimizer, TrainingProgress progress)
    {
        TrainingCheckpoint.Save(options.OutputDirectory, trainable, optimizer, progress, Fingerprint);
        TrainingCheckpoint.Prune(options.OutputDirectory, options.KeepLastCheckpoints);
    }

    string LastCheckpointDescription()
    {
        var newest = TrainingCheckpoint.List(options.OutputDirectory).LastOrDefault();
        return newest.Path ?? "(none written yet)";
    }

    sealed class SilentObserver : ITrainingObserver { }
}
