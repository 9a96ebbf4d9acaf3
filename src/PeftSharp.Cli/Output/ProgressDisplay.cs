using Spectre.Console;

namespace PeftSharp.Cli.Output;

/// <summary>One phase of long work on screen (training, an evaluation, a whole comparison): done of total, what it is doing, time left.</summary>
internal interface IProgressBar
{
    /// <summary><paramref name="done"/> of <paramref name="total"/> units; <paramref name="status"/> says what they are and how it goes ("loss 3.21").</summary>
    void Report(long done, long total, string status, TimeSpan? remaining);

    /// <summary>The phase is over: the bar leaves the screen (its result is printed as a message).</summary>
    void Finish();
}

/// <summary>
/// Where progress goes: live bars on a terminal (<see cref="LiveProgressDisplay"/>), periodic plain lines otherwise
/// (<see cref="LineProgressDisplay"/>: CI logs, pipes). Messages are printed above the bars as lines.
/// </summary>
internal abstract class ProgressDisplay
{
    /// <summary>A new phase; in plain lines, <paramref name="everyReport"/> logs each of its reports (a single run's logged steps).</summary>
    public abstract IProgressBar Start(string label, bool everyReport = false);

    public abstract void Message(string text);

    /// <summary>A warning, printed like a message (on a terminal a raw write would tear the live bars).</summary>
    public void Warn(string text) => Message("warning: " + text);

    /// <summary>Runs <paramref name="work"/> with the display that suits the console: live bars when it is interactive.</summary>
    public static T Run<T>(Func<ProgressDisplay, T> work) =>
        AnsiConsole.Profile.Capabilities.Interactive ? LiveProgressDisplay.Run(AnsiConsole.Console, work) : work(new LineProgressDisplay(Console.Error));

    /// <summary>"1:02:03" or "2:03": time left for people, without a day count or fractions.</summary>
    public static string Duration(TimeSpan? time) => time is not { } t || t < TimeSpan.Zero || t.TotalHours >= 100 ? "–:––"
        : t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}" : $"{t.Minutes}:{t.Seconds:00}";
}
