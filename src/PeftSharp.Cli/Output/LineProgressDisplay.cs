using System.Globalization;

namespace PeftSharp.Cli.Output;

/// <summary>
/// Progress as plain lines for logs: one line when a phase starts, then at most one every <see cref="Interval"/> and
/// one at its end (or one per report for a phase started with everyReport: a single training run logs every logged step).
/// </summary>
internal sealed class LineProgressDisplay(TextWriter output) : ProgressDisplay
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    public override IProgressBar Start(string label, bool everyReport = false) => new Bar(output, everyReport, label);

    public override void Message(string text) => output.WriteLine(text);

    private sealed class Bar(TextWriter output, bool everyReport, string label) : IProgressBar
    {
        private readonly System.Diagnostics.Stopwatch sinceLine = new();

        public void Report(long done, long total, string status, TimeSpan? remaining)
        {
            if (!everyReport && sinceLine.IsRunning && sinceLine.Elapsed < Interval && done < total) return;
            sinceLine.Restart();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{label}: {done:N0}/{total:N0} {status}{(done < total ? $", {Duration(remaining)} left" : "")}"));
        }

        public void Finish() { }
    }
}
