using System.Diagnostics;
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
    public static int TrainingRuns(AblationRecipe recipe, string recipePath) =>
        recipe.Steps.Sum(steps => Settings(recipe, recipe.Runs(recipePath), steps, "").TrainingRuns);

    /// <summary>
    /// Trains every row of <paramref name="recipe"/> (read from <paramref name="recipePath"/>) into <paramref name="output"/>.
    /// <paramref name="commandLine"/> renders one run's settings as the command that trains it alone (written to
    /// commands.sh; null = no file); <paramref name="reproduce"/> is the command that reproduces the whole ablation.
    /// </summary>
    public static AblationResult Run(AblationRecipe recipe, string recipePath, string output, Func<string, ITrainingObserver?> observerFor,
        Action<string>? warn = null, Func<TrainSettings, string>? commandLine = null, string? reproduce = null, CancellationToken cancel = default)
    {
        var runs = recipe.Runs(recipePath);
        string? loadBefore = MachineLoad();
        var clock = Stopwatch.StartNew();
        var tables = new List<AblationTable>();
        foreach (var steps in recipe.Steps)
        {
            var folder = recipe.Steps.Count > 1 ? Path.Combine(output, $"steps-{steps}") : output;
            tables.Add(new AblationTable(steps, CompareWorkflow.Run(Settings(recipe, runs, steps, folder), observerFor, warn, cancel)));
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
