namespace PeftSharp.Training;

public enum ScheduleKind { Constant, Linear, Cosine }

/// <summary>
/// The learning-rate multiplier at optimizer step t (0-based), as HuggingFace's schedulers: a linear warm-up
/// t / warmup for t &lt; warmup, then constant 1, a linear decay to 0 at T, or a half-cosine decay to 0 at T.
/// Stateless: a resumed run recomputes it from the step.
/// </summary>
internal sealed record LearningRateSchedule(ScheduleKind Kind, int WarmupSteps, long TotalSteps)
{
    public double Multiplier(long step)
    {
        if (step < WarmupSteps) return (double)step / Math.Max(1, WarmupSteps);
        if (Kind == ScheduleKind.Constant) return 1;
        double progress = (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps);
        return Kind == ScheduleKind.Linear
            ? Math.Max(0, 1 - progress)
            : Math.Max(0, 0.5 * (1 + Math.Cos(Math.PI * Math.Min(1, progress))));
    }
}
