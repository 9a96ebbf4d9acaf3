namespace PeftSharp.Training;

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
