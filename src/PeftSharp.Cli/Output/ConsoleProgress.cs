using System.Globalization;
using PeftSharp.Training;
using Spectre.Console;

namespace PeftSharp.Cli.Output;

/// <summary>
/// Training progress on the console: a live Spectre.Console bar per run (step, loss, lr, tokens/s, ETA) on a terminal,
/// plain lines otherwise (CI logs, pipes). In plain mode a <paramref name="sparse"/> observer prints about five step lines
/// per run (comparisons train many runs), otherwise one per logged step.
/// </summary>
internal sealed class ConsoleProgress(string label, ProgressTask? bar, bool sparse) : ITrainingObserver
{
    /// <summary>Runs <paramref name="work"/> with one progress observer.</summary>
    public static T Run<T>(string label, Func<ITrainingObserver, T> work) => RunMany(sparse: false, observers => work(observers(label)));

    /// <summary>
    /// Runs <paramref name="work"/>, which asks for one observer per training run by label; on a terminal each run gets its
    /// own bar, and the bars stay on screen for the duration of the call.
    /// </summary>
    public static T RunMany<T>(bool sparse, Func<Func<string, ITrainingObserver>, T> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive) return work(label => new ConsoleProgress(label, null, sparse));
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var bars = new List<ProgressTask>();
                result = work(label =>
                {
                    var bar = ctx.AddTask(Markup.Escape(label), maxValue: 1);
                    bars.Add(bar);
                    return new ConsoleProgress(label, bar, sparse);
                });
                foreach (var bar in bars) bar.StopTask();
            });
        return result;
    }

    public void OnStart(long totalSteps, long startStep)
    {
        if (bar is null) { Console.Error.WriteLine($"{label}: training {totalSteps} steps" + (startStep > 0 ? $" from step {startStep}" : "")); return; }
        bar.MaxValue = totalSteps;
        bar.Value = startStep;
    }

    public void OnStep(StepReport r)
    {
        var text = string.Create(CultureInfo.InvariantCulture,
            $"step {r.Step}/{r.TotalSteps} loss {r.Loss:F4}{(r.RegularizationLoss is { } reg ? $" reg {reg:F4}" : "")} lr {r.LearningRate:E2} {r.TokensPerSecond:F0} tok/s eta {r.Remaining:hh\\:mm\\:ss}");
        if (bar is not null)
        {
            bar.Value = r.Step;
            bar.Description = Markup.Escape($"{label} {text}");
        }
        else if (!sparse || r.Step % Math.Max(1, r.TotalSteps / 5) == 0 || r.Step == r.TotalSteps)
        {
            Console.Error.WriteLine($"{label}: {text}");
        }
    }

    public void OnEvaluation(long step, IReadOnlyDictionary<string, double> metrics) => Message($"eval @ {step}: {ConsoleOutput.Metrics(metrics)}");

    public void OnMessage(string message) => Message(message);

    void Message(string text)
    {
        if (bar is null) Console.Error.WriteLine($"{label}: {text}");
        else AnsiConsole.MarkupLine($"[grey]{Markup.Escape(label)}:[/] {Markup.Escape(text)}");
    }
}
