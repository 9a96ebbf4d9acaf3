namespace PeftSharp.Training;

/// <summary>One optimizer step, as reported to observers and the metrics log.</summary>
public sealed record StepReport(long Step, long TotalSteps, int Epoch, double Loss, double? RegularizationLoss, double LearningRate,
    double GradNorm, double TokensPerSecond, TimeSpan Elapsed, TimeSpan Remaining);
