using PeftSharp.Data;
using static TorchSharp.torch;

namespace PeftSharp.Training;

/// <summary>A task the trainer optimises: its training examples and how a batch becomes a loss.</summary>
public interface ITrainingTask
{
    IReadOnlyList<EncodedExample> TrainExamples { get; }
    int PadTokenId { get; }
    /// <summary>Forward pass and task loss of one batch (the module is in training mode).</summary>
    Tensor Loss(Batch batch);
}

/// <summary>Evaluates the model being trained; metric names without the "eval_" prefix.</summary>
public interface IEvaluator
{
    string PrimaryMetric { get; }
    bool HigherIsBetter { get; }
    IReadOnlyDictionary<string, double> Evaluate();
}

/// <summary>One optimizer step, as reported to observers and the metrics log.</summary>
public sealed record StepReport(long Step, long TotalSteps, int Epoch, double Loss, double? RegularizationLoss, double LearningRate,
    double GradNorm, double TokensPerSecond, TimeSpan Elapsed, TimeSpan Remaining);

/// <summary>Receives progress (the CLI shows a live bar; tests and the library default ignore it).</summary>
public interface ITrainingObserver
{
    void OnStart(long totalSteps, long startStep) { }
    void OnStep(StepReport report) { }
    void OnEvaluation(long step, IReadOnlyDictionary<string, double> metrics) { }
    void OnMessage(string message) { }
}

/// <summary>
/// The outcome of <see cref="Trainer.Train"/>. <see cref="PeakResidentBytes"/> is the process's highest resident memory
/// during training; <see cref="StartResidentBytes"/> its resident memory when training started (model and adapter built),
/// so their difference is what training itself needed (activations, gradients, optimizer state).
/// </summary>
public sealed record TrainResult(long Steps, bool Interrupted, bool StoppedEarly, IReadOnlyDictionary<string, double>? FinalMetrics,
    string? PrimaryMetric, double? BestMetric, long? BestStep, double LastLoss, TimeSpan TrainTime, long PeakResidentBytes, long StartResidentBytes)
{
    public long TrainingMemoryBytes => Math.Max(0, PeakResidentBytes - StartResidentBytes);
}
