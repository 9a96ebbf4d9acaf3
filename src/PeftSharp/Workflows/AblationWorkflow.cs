using System.Diagnostics;
using PeftSharp.IO;
using PeftSharp.Training;

namespace PeftSharp.Workflows;

/// <summary>One table of an ablation: its rows trained for <paramref name="Steps"/> optimizer steps.</summary>
public sealed record AblationTable(int Steps, IReadOnlyList<MethodComparison> Rows);

/// <summary>An ablation's outcome: one table per step count of the recipe, how long it took and the machine's load.</summary>
public sealed record AblationResult(AblationRecipe Recipe, string RecipePath, IReadOnlyList<AblationTable> Tables, TimeSpan WallTime,
    string? LoadBefore, string? LoadAfter, DateTime FinishedUtc);

/// <summary>
/// <c>peft ablate</c>: the rows of an <see cref="AblationRecipe"/> on a shipped WordNet task with the demo's settings,
/// each row a <see cref="CompareWorkflow"/> run (several seeds, its own or a dev-selected learning rate), repeated for
/// each step count of the recipe; then <c>ablation.md</c> and <c>ablation.json</c> (<see cref="AblationReport"/>) next to
/// the comparison tables and plots.
/// </summary>
public static class AblationWorkflow
{
    /// <summary>How many training runs <paramref name="recipe"/> makes over all its step counts.</summary>
    public static int TrainingRuns(AblationRecipe recipe, string recipePath)
    {
        var runs = recipe.Runs(recipePath);
        return recipe.Steps.Sum(steps => Settings(recipe, runs, steps, "").TrainingRuns);
    }

    /// <summary>
    /// Trains every row of <paramref name="recipe"/> (read from <paramref name="recipePath"/>) into <paramref name="output"/>,
    /// which is held for the whole ablation (see <see cref="OutputFolder"/>; <paramref name="overwrite"/> replaces an
    /// earlier ablation there). <paramref name="commandLine"/> renders one run's settings as the command that trains it
    /// alone (written to commands.sh; null = no file); <paramref name="reproduce"/> is the command that reproduces the
    /// whole ablation.
    /// </summary>
    public static AblationResult Run(AblationRecipe recipe, string recipePath, string output, Func<string, ITrainingObserver?> observerFor,
        Action<string>? warn = null, Func<TrainSettings, string>? commandLine = null, string? reproduce = null, CancellationToken cancel = default,
        bool overwrite = false)
    {
        var runs = recipe.Runs(recipePath);
        CompareSettings SettingsFor(int steps, string folder)
        {
            var settings = Settings(recipe, runs, steps, folder);
            return settings with { Base = settings.Base with { Overwrite = overwrite } };
        }
        using var claimed = OutputFolder.Claim(output, nameof(CompareSettings.OutputDirectory), SettingsFor(recipe.Steps[0], output).Base.Inputs, acceptExisting: overwrite);
        string? loadBefore = MachineLoad();
        var clock = Stopwatch.StartNew();
        var tables = new List<AblationTable>();
        foreach (var steps in recipe.Steps)
        {
            // One step count: the comparison writes into the folder held here; several: each into its own subfolder.
            var comparisons = recipe.Steps.Count > 1
                ? CompareWorkflow.Run(SettingsFor(steps, Path.Combine(output, $"steps-{steps}")), observerFor, warn, cancel)
                : CompareWorkflow.Run(SettingsFor(steps, output), observerFor, warn, cancel, claimed);
            tables.Add(new AblationTable(steps, comparisons));
        }
        var result = new AblationResult(recipe, recipePath, tables, clock.Elapsed, loadBefore, MachineLoad(), DateTime.UtcNow);
        AblationReport.Write(output, result, commandLine, reproduce);
        return result;
    }

    /// <summary>The comparison of <paramref name="runs"/> for <paramref name="steps"/> steps: the demo's base settings with the recipe's schedule.</summary>
    public static CompareSettings Settings(AblationRecipe recipe, IReadOnlyList<MethodRun> runs, int steps, string output)
    {
        var demo = DemoWorkflow.BaseSettings(recipe.Task, quick: false, output);
        return new CompareSettings
        {
            Base = demo with
            {
                EvalMaxExamples = recipe.EvalMaxExamples ?? demo.EvalMaxExamples,
                Trainer = demo.Trainer with { MaxSteps = steps, BatchSize = recipe.BatchSize, WarmupSteps = recipe.WarmupSteps, LearningRate = recipe.Lr },
            },
            Runs = runs,
            Seeds = recipe.Seeds,
            OutputDirectory = output,
            LearningRateGrid = recipe.LrGrid,
        };
    }

    /// <summary>The 1-, 5- and 15-minute load averages (Linux), to read wall times against.</summary>
    private static string? MachineLoad()
    {
        try { return File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null; }
        catch (IOException) { return null; }
    }
}
