using System.Diagnostics;
using System.Globalization;
using PeftSharp.Training;

namespace PeftSharp.Cli.Output;

/// <summary>
/// One training run on a <see cref="ProgressDisplay"/>: a bar for the training steps (mean loss of the logging window,
/// learning rate, speed, time left), a bar for each evaluation (examples done, time left), their results as lines.
/// <paramref name="onFraction"/> hears how far the run's training is (0…1), for a comparison's overall estimate;
/// <paramref name="logEveryStep"/> puts every logged step in a plain log (a single run), not only a periodic one.
/// </summary>
internal sealed class RunProgress(ProgressDisplay display, string label, Action<double>? onFraction = null, bool logEveryStep = false) : ITrainingObserver
{
    private IProgressBar? training, evaluation;
    private readonly Stopwatch evaluationClock = new();

    public void OnStart(long totalSteps, long startStep)
    {
        training = display.Start(label, logEveryStep);
        training.Report(startStep, totalSteps, startStep > 0 ? $"training, resumed at step {startStep}" : "training", null);
    }

    public void OnStep(StepReport r)
    {
        // The loss shown is the mean over the steps since the last log line, not the last batch's.
        var status = string.Create(CultureInfo.InvariantCulture,
            $"mean loss {r.Loss:F4}{(r.RegularizationLoss is { } reg ? $" reg {reg:F4}" : "")} lr {r.LearningRate:0.##e0} {r.TokensPerSecond:F0} tok/s");
        training?.Report(r.Step, r.TotalSteps, status, r.Remaining);
        onFraction?.Invoke((double)r.Step / Math.Max(1, r.TotalSteps));
        if (r.Step == r.TotalSteps) training?.Finish();
    }

    public void OnEvaluationProgress(string split, long done, long total)
    {
        if (done == 0)
        {
            evaluation?.Finish();
            evaluation = display.Start($"{label} {split}");
            evaluationClock.Restart();
        }
        var remaining = done > 0 ? TimeSpan.FromSeconds(evaluationClock.Elapsed.TotalSeconds / done * (total - done)) : (TimeSpan?)null;
        evaluation?.Report(done, total, "evaluating", remaining);
        if (done >= total) evaluation?.Finish();
    }

    public void OnEvaluation(long step, IReadOnlyDictionary<string, double> metrics, int examples) =>
        display.Message(string.Create(CultureInfo.InvariantCulture, $"{label}: dev at step {step} ({examples:N0} examples): {ConsoleOutput.Metrics(metrics)}"));

    public void OnMessage(string message) => display.Message($"{label}: {message}");
}
