using System.CommandLine;
using PeftSharp.Cli.Options;
using PeftSharp.Cli.Output;
using PeftSharp.Tuners;
using PeftSharp.Workflows;

namespace PeftSharp.Cli.Commands;

/// <summary><c>peft compare</c>: several methods, same data, equal budgets (from --r), one table and one plot.</summary>
internal sealed class CompareCommand : ICliCommand
{
    private readonly TrainCommand train = new(new Command("compare", "Train several methods on the same data at an equal parameter budget and compare them (table + plots)."), singleMethod: false);
    private readonly Option<string> methods;
    private readonly Option<int> seeds;
    private readonly Option<string?> lrPerMethod, lrGrid;

    public CompareCommand()
    {
        methods = train.Options.Add("methods", "Comma-separated methods", string.Join(",", PeftMethods.ComparedByDefault.Select(m => m.Name)));
        seeds = train.Options.Add("seeds", "Seeds per method (--seed, --seed+1, …); results are mean ± std", 1);
        lrPerMethod = train.Options.Add<string?>("lr-per-method", "A learning rate per method, e.g. full=5e-4,lora=5e-3 (the others use --lr or --lr-grid)");
        lrGrid = train.Options.Add<string?>("lr-grid", "Choose each method's learning rate on --eval-data from these, e.g. 1e-3,3e-3,1e-2 (trained with the first seed; the table reports the choice)",
            binds: nameof(CompareSettings.LearningRateGrid));
    }

    public Command Command => train.Command;

    public int Run(ParseResult p, CancellationToken cancel)
    {
        var chosen = MethodList.Parse(p.GetValue(methods)!, "--methods");
        if (p.GetValue(seeds) < 1) throw new PeftSharpException($"--seeds must be ≥ 1, got {p.GetValue(seeds)}");
        var settings = train.Settings(p, chosen[0]);
        var rates = LearningRates.PerMethod(p.GetValue(lrPerMethod), chosen, "--lr-per-method");
        var results = Compare.Run(new CompareSettings
        {
            Base = settings, OutputDirectory = settings.OutputDirectory,
            Runs = chosen.Select(m => new MethodRun(m.Name, train.Configure(m, p, chosen), rates.TryGetValue(m.Name, out var lr) ? lr : null)).ToList(),
            Seeds = Enumerable.Range(settings.Trainer.Seed, p.GetValue(seeds)).ToList(),
            LearningRateGrid = LearningRates.Grid(p.GetValue(lrGrid), "--lr-grid"),
        }, cancel);
        return results is null ? StopSignals.ExitCode : 0;
    }
}

/// <summary>Runs a comparison with live progress and prints its table.</summary>
internal static class Compare
{
    public static IReadOnlyList<MethodComparison>? Run(CompareSettings settings, CancellationToken cancel)
    {
        try
        {
            var shown = new HashSet<string>(StringComparer.Ordinal); // every run loads the same data and model: warn once
            var results = ProgressDisplay.Run(display =>
            {
                var progress = new ComparisonProgress(display, settings.TrainingRuns);
                return CompareWorkflow.Run(settings, progress.Next, w => { if (shown.Add(w)) display.Warn(w); }, cancel);
            });
            Console.WriteLine();
            Console.WriteLine(CompareWorkflow.Table(results));
            Console.WriteLine($"written to {settings.OutputDirectory}: comparison.md, comparison.json, comparison.png, loss_curves.png, effective_rank.png, one folder per method");
            return results;
        }
        catch (OperationCanceledException)
        {
            ConsoleOutput.Error("interrupted; the finished runs are in " + settings.OutputDirectory);
            return null;
        }
    }
}
