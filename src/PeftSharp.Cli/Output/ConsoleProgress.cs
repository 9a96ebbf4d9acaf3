using System.Globalization;
using PeftSharp.Training;
using Spectre.Console;

namespace PeftSharp.Cli.Output;

/// <summary>
/// Training progress on the console: a live Spectre.Console bar (step, loss, lr, tokens/s, ETA) on a terminal,
/// one plain line per logged step otherwise (CI logs, pipes).
/// </summary>
internal sealed class ConsoleProgress : ITrainingObserver
{
    readonly string label;
    ProgressTask? bar;

    ConsoleProgress(string label) => this.label = label;

    /// <summary>Runs <paramref name="work"/> with a progress observer; the bar lives for the duration of the call.</summary>
    public static T Run<T>(string label, Func<ITrainingObserver, T> work)
    {
        var observer = new ConsoleProgress(label);
        if (!AnsiConsole.Profile.Capabilities.Interactive) return work(observer);
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                observer.bar = ctx.AddTask(Markup.Escape(label), maxValue: 1);
                result = work(observer);
                observer.bar.StopTask();
            });
        return result;
    }

    public void OnStart(long totalSteps, long startStep)
    {
        if (bar is null) return;
        bar.MaxValue = totalSteps;
        bar.Value = startStep;
    }

    public void OnStep(StepReport r)
    {
        var text = string.Create(CultureInfo.InvariantCulture,
            $"step {r.Step}/{r.TotalSteps} loss {r.Loss:F4}{(r.RegularizationLoss is { } reg ? $" reg {reg:F4}" : "")} lr {r.LearningRate:E2} {r.TokensPerSecond:F0} tok/s eta {r.Remaining:hh\\:mm\\:ss}");
        if (bar is null) { Console.Error.WriteLine($"{label}: {text}"); return; }
        bar.Value = r.Step;
        bar.Description = Markup.Escape($"{label} {text}");
    }

    public void OnEvaluation(long step, IReadOnlyDictionary<string, double> metrics) =>
        Message($"eval @ {step}: {string.Join(", ", metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:F4}")))}");

    public void OnMessage(string message) => Message(message);

    void Message(string text)
    {
        if (bar is null) Console.Error.WriteLine($"{label}: {text}");
        else AnsiConsole.MarkupLine($"[grey]{Markup.Escape(label)}:[/] {Markup.Escape(text)}");
    }
}
