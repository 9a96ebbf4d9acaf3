using System.CommandLine;
using PeftSharp.Cli.Options;
using PeftSharp.Cli.Output;
using PeftSharp.Workflows;

namespace PeftSharp.Cli.Commands;

/// <summary>
/// <c>peft ablate --recipe recipes/ablations/NAME.json</c>: a paper's ablation table on the shipped model — every row a
/// method variant over several seeds at its own or a dev-selected learning rate — written as ablation.md (mean ± std),
/// ablation.json, plots and commands.sh (docs/ablations.md).
/// </summary>
internal sealed class AblateCommand : ICliCommand
{
    /// <summary>The command's name; its --recipe is an ablation recipe, not a flat option recipe (<see cref="Recipes"/>).</summary>
    public const string Name = "ablate";

    public Command Command { get; } = new(Name, "Run an ablation table on the shipped model: every row a method variant, several seeds, a learning rate per row (recipes/ablations/*.json).");
    private readonly Option<string> recipe;
    private readonly Option<string?> output;
    private readonly Option<bool> overwrite;

    public AblateCommand()
    {
        var o = new OptionSet(Command);
        recipe = o.Add<string>("recipe", "An ablation recipe: recipes/ablations/*.json (format: docs/ablations.md)", required: true);
        output = o.Add<string?>("out", "Output folder (default: ablation-out/<recipe name>)");
        overwrite = o.Add<bool>("overwrite", "Write into an --out that already holds an earlier ablation (its results are replaced)");
    }

    public int Run(ParseResult p, CancellationToken cancel)
    {
        var path = p.GetValue(recipe)!;
        var parsed = AblationRecipe.Read(path);
        var folder = p.GetValue(output) ?? Path.Combine("ablation-out", Path.GetFileNameWithoutExtension(path));
        try
        {
            var shown = new HashSet<string>(StringComparer.Ordinal); // every run loads the same data and model: warn once
            var result = ProgressDisplay.Run(display =>
            {
                var progress = new ComparisonProgress(display, AblationWorkflow.TrainingRuns(parsed, path));
                return AblationWorkflow.Run(parsed, path, folder, progress.Next, w => { if (shown.Add(w)) display.Warn(w); },
                    TrainCommandLine.For, $"./peft ablate --recipe {path}", cancel, p.GetValue(overwrite));
            });
            foreach (var table in result.Tables)
            {
                Console.WriteLine();
                if (result.Tables.Count > 1) Console.WriteLine($"{table.Steps} steps:");
                Console.WriteLine(CompareWorkflow.Table(table.Rows));
            }
            Console.WriteLine($"written to {folder}: ablation.md, ablation.json, commands.sh, plots, one folder per row");
            return 0;
        }
        catch (OperationCanceledException)
        {
            ConsoleOutput.Error("interrupted; the finished runs are in " + folder);
            return StopSignals.ExitCode;
        }
    }
}
