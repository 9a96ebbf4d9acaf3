using System.Diagnostics;
using PeftSharp.Training;

namespace PeftSharp.Cli.Output;

/// <summary>
/// A comparison's runs on one display: "run k of N" and the time left for all of them (the mean time of the finished
/// runs for each one to come; before the first has finished, the first run's pace), above the running run's bars.
/// </summary>
internal sealed class ComparisonProgress(ProgressDisplay display, int runs)
{
    private readonly IProgressBar overall = display.Start("all runs");
    private readonly Stopwatch clock = Stopwatch.StartNew(), runClock = new();
    private int started;
    private string current = "";

    /// <summary>The observer of the next run, labelled with its place in the comparison.</summary>
    public ITrainingObserver Next(string label)
    {
        started++;
        current = label;
        runClock.Restart();
        Update(0);
        return new RunProgress(display, label, Update);
    }

    private void Update(double fraction)
    {
        int finished = started - 1;
        TimeSpan? left = finished > 0 ? (clock.Elapsed - runClock.Elapsed) / finished * (runs - finished) - runClock.Elapsed
            : fraction > 0 ? runClock.Elapsed / fraction * runs - runClock.Elapsed : null;
        overall.Report(finished, runs, $"run {started} of {runs}: {current}", left is { } l && l < TimeSpan.Zero ? TimeSpan.Zero : left);
    }
}
