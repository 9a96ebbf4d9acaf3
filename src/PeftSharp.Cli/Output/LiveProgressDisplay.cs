using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PeftSharp.Cli.Output;

/// <summary>
/// Live bars on a terminal: one row per running phase (label and status, bar, count, time left), sized to the console's
/// width so that a row never wraps (an 80-column terminal included); finished phases leave the screen.
/// The screen is redrawn by the thread that reports, at most every <see cref="RefreshInterval"/>, never by a
/// background thread: TorchSharp 0.107 does not keep a temporary Scalar alive during its native call, so a garbage
/// collection started by another thread's allocations while a tensor operation runs could free it mid-call.
/// </summary>
internal sealed class LiveProgressDisplay(IAnsiConsole console, ProgressContext context) : ProgressDisplay
{
    private const string RemainingKey = "remaining";
    private const int CountWidth = 15, TimeWidth = 7;
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(200);
    private readonly System.Diagnostics.Stopwatch sinceRefresh = System.Diagnostics.Stopwatch.StartNew();

    public static T Run<T>(IAnsiConsole console, Func<ProgressDisplay, T> work)
    {
        int barWidth = Math.Clamp(console.Profile.Width - 64, 6, 24); // 16 on an 80-column terminal, leaving 38 for the description
        return new Progress(console)
            .AutoRefresh(false)
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new DescriptionColumn(barWidth), new ProgressBarColumn { Width = barWidth }, new CountColumn(), new TimeColumn())
            .Start(context => work(new LiveProgressDisplay(console, context)));
    }

    public override IProgressBar Start(string label, bool everyReport = false)
    {
        var task = context.AddTask(label, maxValue: 1);
        task.State.Update<double>(RemainingKey, _ => -1);
        Refresh(force: true);
        return new Bar(this, task);
    }

    public override void Message(string text)
    {
        console.WriteLine(text);
        Refresh(force: true);
    }

    private void Refresh(bool force)
    {
        if (!force && sinceRefresh.Elapsed < RefreshInterval) return;
        context.Refresh();
        sinceRefresh.Restart();
    }

    private sealed class Bar(LiveProgressDisplay display, ProgressTask task) : IProgressBar
    {
        private readonly string label = task.Description;

        public void Report(long done, long total, string status, TimeSpan? remaining)
        {
            task.MaxValue = Math.Max(1, total);
            task.Value = done;
            task.Description = $"{label} {status}";
            task.State.Update<double>(RemainingKey, _ => remaining?.TotalSeconds ?? -1);
            display.Refresh(force: false);
        }

        public void Finish()
        {
            task.StopTask();
            display.Refresh(force: true);
        }
    }

    /// <summary>The label and status, cut to the width the other columns leave.</summary>
    private sealed class DescriptionColumn(int barWidth) : ProgressColumn
    {
        protected override bool NoWrap => true;

        public override int? GetColumnWidth(RenderOptions options) => Width(options);

        private int Width(RenderOptions options) => Math.Max(8, options.ConsoleSize.Width - barWidth - CountWidth - TimeWidth - 4); // 3 paddings, 1 spare column

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            int width = Width(options);
            var text = task.Description.Length <= width ? task.Description : task.Description[..(width - 1)] + "…";
            return new Text(text.PadRight(width));
        }
    }

    private sealed class CountColumn : ProgressColumn
    {
        public override int? GetColumnWidth(RenderOptions options) => CountWidth;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"{task.Value:N0}/{task.MaxValue:N0}");
            return new Text(text.Length <= CountWidth ? text.PadLeft(CountWidth) : text[..CountWidth]);
        }
    }

    private sealed class TimeColumn : ProgressColumn
    {
        public override int? GetColumnWidth(RenderOptions options) => TimeWidth;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            var seconds = task.State.Get<double>(RemainingKey);
            var text = Duration(seconds >= 0 ? TimeSpan.FromSeconds(seconds) : null);
            return new Text(text.PadLeft(TimeWidth), new Style(Color.Grey));
        }
    }
}
