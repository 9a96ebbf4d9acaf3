using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeftSharp.IO;
using PeftSharp.Training;

namespace PeftSharp.Workflows;

/// <summary>
/// What <c>peft ablate</c> writes beside the comparison tables: <c>ablation.md</c> (the setting, one table per step
/// count with mean ± std over seeds, the paper's numbers where the recipe gives them, per-layer effective ranks when asked,
/// the ranking across step counts, the machine and its load), <c>ablation.json</c>, <c>commands.sh</c> (every run as
/// its own command) and, for a step sweep, <c>steps.png</c>.
/// </summary>
internal static class AblationReport
{
    public const string MarkdownFile = "ablation.md", JsonFile = "ablation.json", CommandsFile = "commands.sh", StepsPlotFile = "steps.png";

    public static void Write(string output, AblationResult result, Func<TrainSettings, string>? commandLine, string? reproduce)
    {
        Directory.CreateDirectory(output);
        AtomicFile.WriteAllText(Path.Combine(output, MarkdownFile), Markdown(result, reproduce, commandLine is not null));
        AtomicFile.WriteAllText(Path.Combine(output, JsonFile), Json(result).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        if (commandLine is not null) AtomicFile.WriteAllText(Path.Combine(output, CommandsFile), Commands(result, commandLine, reproduce));
        if (result.Tables.Count > 1) StepsPlot(result, Path.Combine(output, StepsPlotFile));
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Markdown(AblationResult result, string? reproduce, bool commands)
    {
        var recipe = result.Recipe;
        var text = new StringBuilder();
        text.AppendLine($"# {recipe.Description}").AppendLine();
        if (recipe.Source is { } source) text.AppendLine($"Source: {source}").AppendLine();
        if (recipe.Notes is { } notes) text.AppendLine(notes).AppendLine();
        text.AppendLine(Setting(recipe)).AppendLine();
        text.AppendLine(F($"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}; finished {result.FinishedUtc:yyyy-MM-dd HH:mm} UTC after {result.WallTime:h\\:mm\\:ss} wall time") +
            (result.LoadBefore is null ? "." : $"; load average (1, 5, 15 min) {result.LoadBefore} at the start, {result.LoadAfter} at the end (wall times grow with the load; the results do not depend on it).")).AppendLine();
        if (reproduce is not null)
            text.AppendLine("Reproduce:").AppendLine().AppendLine($"    {reproduce}").AppendLine()
                .AppendLine(commands ? $"Every run alone, with the same result: `{CommandsFile}`.\n" : "");
        foreach (var table in result.Tables)
        {
            if (result.Tables.Count > 1) text.AppendLine($"## {table.Steps} steps").AppendLine();
            text.Append(Table(recipe, table));
            if (recipe.PerLayerRanks) text.AppendLine().Append(PerLayerRanks(table));
            text.AppendLine();
        }
        if (result.Tables.Count > 1) text.Append(Ranking(result));
        return text.ToString();
    }

    private static string Setting(AblationRecipe recipe)
    {
        var steps = string.Join(", ", recipe.Steps);
        var rates = recipe.LrGrid.Count > 0
            ? $"learning rate chosen per row on dev with seed {recipe.Seeds[0]} from {string.Join(", ", recipe.LrGrid.Select(CompareWorkflow.FormatRate))} (rows with their own rate keep it)"
            : $"learning rate {CompareWorkflow.FormatRate(recipe.Lr)} unless a row sets its own";
        return F($"Setting: the shipped `wordnet-gpt2` on `{recipe.Task}`, every method at the budget of LoRA rank {recipe.R}; {steps} optimizer steps ") +
            F($"of batch {recipe.BatchSize}, linear schedule with {recipe.WarmupSteps} warm-up steps, gradient-norm clip 1.0; seeds {string.Join(", ", recipe.Seeds)}; {rates}. ") +
            "Values are mean ± sample standard deviation over the seeds.";
    }

    private static string Options(AblationRow row) =>
        row.Options is { Count: > 0 } options ? string.Join(", ", options.Select(o => $"{o.Key}={o.Value?.ToJsonString().Trim('"')}")) : "—";

    private static string Table(AblationRecipe recipe, AblationTable table)
    {
        var metric = table.Rows.Select(c => c.Metric).FirstOrDefault(m => m is not null) ?? "metric";
        double scale = CompareWorkflow.DisplayScale(metric);
        string unit = scale == 100 ? " (%)" : "";
        bool paper = recipe.Rows.Any(r => r.Paper is not null);
        bool scored = table.Rows.Any(c => c.Runs[0].ImportanceScoredParameters is not null);
        var text = new StringBuilder();
        text.AppendLine($"| row | method | options | lr | dev {metric}{unit} | test {metric}{unit} |{(paper ? " paper |" : "")} trainable params | mean effective rank of ΔW |{(scored ? " importance-scored params |" : "")} train time (s) |");
        text.AppendLine($"|---|---|---|---:|---:|---:|{(paper ? "---:|" : "")}---:|---:|{(scored ? "---:|" : "")}---:|");
        foreach (var (c, row) in table.Rows.Zip(recipe.Rows))
            text.AppendLine(F($"| {row.Name} | {row.Method} | {Options(row)} | {CompareWorkflow.FormatRate(c.LearningRate)}{(c.LearningRateSearch.Count > 0 ? " *" : "")} | {c.Dev.Format(scale)} | {c.Test.Format(scale)} |") +
                (paper ? $" {row.Paper ?? ""} |" : "") +
                F($" {c.TrainableParameters:N0} | {c.MeanEffectiveRank.Format(1, "F1")} |") +
                (scored ? F($" {c.Runs[0].ImportanceScoredParameters?.ToString("N0", CultureInfo.InvariantCulture) ?? "—"} |") : "") +
                F($" {c.TrainSeconds.Format(1, "F1")} |"));
        if (table.Rows.Any(c => c.LearningRateSearch.Count > 0))
            text.AppendLine().AppendLine(CompareWorkflow.SearchNote(table.Rows, scale));
        return text.ToString();
    }

    /// <summary>Effective rank of ΔW per adapted layer (mean over seeds), one column per row: the Dual LoRA paper's Fig. 3.</summary>
    private static string PerLayerRanks(AblationTable table)
    {
        var withRanks = table.Rows.Where(c => c.Runs[0].EffectiveRanks.Count > 0).ToList();
        if (withRanks.Count == 0) return "";
        var text = new StringBuilder();
        text.AppendLine("Effective rank of ΔW per adapted layer (numerical rank, mean over seeds):").AppendLine();
        text.AppendLine($"| layer | {string.Join(" | ", withRanks.Select(c => c.Method))} |");
        text.AppendLine($"|---|{string.Concat(withRanks.Select(_ => "---:|"))}");
        foreach (var (path, _) in withRanks[0].Runs[0].EffectiveRanks)
            text.AppendLine($"| {path} | {string.Join(" | ", withRanks.Select(c => LayerRank(c, path).ToString("0.#", CultureInfo.InvariantCulture)))} |");
        return text.ToString();
    }

    private static double LayerRank(MethodComparison c, string path) =>
        c.Runs.SelectMany(r => r.EffectiveRanks.Where(x => x.Path == path).Select(x => (double)x.Rank)).DefaultIfEmpty(double.NaN).Average();

    /// <summary>The rows ranked by mean dev metric at each step count, and how many pairs keep the order of the longest run.</summary>
    private static string Ranking(AblationResult result)
    {
        var longest = result.Tables[^1];
        var metric = longest.Rows.Select(c => c.Metric).FirstOrDefault(m => m is not null);
        double scale = CompareWorkflow.DisplayScale(metric);
        var text = new StringBuilder();
        text.AppendLine($"## Dev {metric} by training length").AppendLine();
        text.AppendLine($"| row | {string.Join(" | ", result.Tables.Select(t => $"{t.Steps} steps"))} |");
        text.AppendLine($"|---|{string.Concat(result.Tables.Select(_ => "---:|"))}");
        var ranks = result.Tables.Select(t => Ranks(t.Rows, metric)).ToList();
        for (int i = 0; i < longest.Rows.Count; i++)
            text.AppendLine($"| {result.Recipe.Rows[i].Name} | {string.Join(" | ", result.Tables.Select((t, j) => $"{t.Rows[i].Dev.Format(scale)} (#{ranks[j][i]})"))} |");
        text.AppendLine();
        int pairs = longest.Rows.Count * (longest.Rows.Count - 1) / 2;
        text.AppendLine($"Pairs of rows in the order they have at {longest.Steps} steps (by mean dev {metric}): " +
            string.Join(", ", result.Tables.Select((t, j) => $"{t.Steps} steps {Concordant(ranks[j], ranks[^1])}/{pairs}")) + ".");
        return text.ToString();
    }

    /// <summary>1-based rank of each row by mean dev metric (best first).</summary>
    private static int[] Ranks(IReadOnlyList<MethodComparison> rows, string? metric)
    {
        double sign = CompareWorkflow.LowerIsBetter(metric) ? 1 : -1;
        var order = rows.Select((c, i) => (Key: double.IsFinite(c.Dev.Mean) ? sign * c.Dev.Mean : double.PositiveInfinity, i)).OrderBy(x => x.Key).Select(x => x.i).ToList();
        var ranks = new int[rows.Count];
        for (int k = 0; k < order.Count; k++) ranks[order[k]] = k + 1;
        return ranks;
    }

    private static int Concordant(int[] a, int[] b)
    {
        int count = 0;
        for (int i = 0; i < a.Length; i++)
            for (int j = i + 1; j < a.Length; j++)
                if (Math.Sign(a[i] - a[j]) == Math.Sign(b[i] - b[j])) count++;
        return count;
    }

    private static string Commands(AblationResult result, Func<TrainSettings, string> commandLine, string? reproduce)
    {
        var text = new StringBuilder("#!/usr/bin/env bash\n");
        text.AppendLine($"# Every run of: {result.Recipe.Description}");
        if (reproduce is not null) text.AppendLine($"# All of them, with the tables: {reproduce}");
        text.AppendLine("set -euo pipefail");
        var runs = result.Tables.SelectMany(t => t.Rows)
            .SelectMany(c => c.LearningRateSearch.Select(s => s.Run).Concat(c.Runs))
            .DistinctBy(r => r.OutputDirectory);
        foreach (var run in runs.Where(r => r.Settings is not null)) text.AppendLine(commandLine(run.Settings!));
        return text.ToString();
    }

    private static JsonObject Json(AblationResult result) => new()
    {
        ["description"] = result.Recipe.Description,
        ["recipe"] = result.RecipePath,
        ["task"] = result.Recipe.Task,
        ["seeds"] = new JsonArray(result.Recipe.Seeds.Select(s => (JsonNode?)s).ToArray()),
        ["wall_seconds"] = Math.Round(result.WallTime.TotalSeconds, 1),
        ["load_average_start"] = result.LoadBefore,
        ["load_average_end"] = result.LoadAfter,
        ["cores"] = Environment.ProcessorCount,
        ["finished_utc"] = result.FinishedUtc.ToString("O", CultureInfo.InvariantCulture),
        ["tables"] = new JsonArray(result.Tables.Select(t => (JsonNode?)new JsonObject
        {
            ["steps"] = t.Steps,
            ["rows"] = new JsonArray(t.Rows.Zip(result.Recipe.Rows).Select(p => (JsonNode?)Row(p.First, p.Second)).ToArray()),
        }).ToArray()),
    };

    private static JsonObject Row(MethodComparison c, AblationRow row) => new()
    {
        ["name"] = row.Name,
        ["method"] = row.Method,
        ["options"] = row.Options?.DeepClone(),
        ["paper"] = row.Paper,
        ["metric"] = c.Metric,
        ["learning_rate"] = c.LearningRate,
        ["learning_rate_search"] = CompareWorkflow.SearchJson(c),
        ["dev"] = CompareWorkflow.Node(c.Dev),
        ["test"] = CompareWorkflow.Node(c.Test),
        ["dev_per_seed"] = new JsonArray(c.Runs.Select(r => (JsonNode?)Metric(r.EvalMetrics, c.Metric)).ToArray()),
        ["test_per_seed"] = new JsonArray(c.Runs.Select(r => (JsonNode?)Metric(r.TestMetrics, c.Metric)).ToArray()),
        ["trainable_parameters"] = c.TrainableParameters,
        ["mean_effective_rank"] = CompareWorkflow.Node(c.MeanEffectiveRank),
        ["effective_rank_per_layer"] = new JsonObject(c.Runs[0].EffectiveRanks.Select(r => KeyValuePair.Create(r.Path, (JsonNode?)LayerRank(c, r.Path)))),
        ["importance_scored_parameters"] = c.Runs[0].ImportanceScoredParameters,
        ["train_seconds"] = CompareWorkflow.Node(c.TrainSeconds),
    };

    private static double? Metric(IReadOnlyDictionary<string, double>? metrics, string? name) =>
        name is not null && metrics is not null && metrics.TryGetValue(name, out var v) && double.IsFinite(v) ? v : null;

    private static void StepsPlot(AblationResult result, string path)
    {
        var metric = result.Tables[^1].Rows.Select(c => c.Metric).FirstOrDefault(m => m is not null);
        double scale = CompareWorkflow.DisplayScale(metric);
        var plot = new ScottPlot.Plot();
        var xs = result.Tables.Select(t => (double)t.Steps).ToArray();
        for (int i = 0; i < result.Recipe.Rows.Count; i++)
        {
            var ys = result.Tables.Select(t => t.Rows[i].Dev.Mean * scale).ToArray();
            var errors = result.Tables.Select(t => double.IsFinite(t.Rows[i].Dev.Std) ? t.Rows[i].Dev.Std * scale : 0).ToArray();
            plot.Add.ErrorBar(xs, ys, errors);
            plot.Add.Scatter(xs, ys).LegendText = result.Recipe.Rows[i].Name;
        }
        plot.Title($"dev {metric}{(scale == 100 ? " (×100)" : "")} by training length, mean ± std over seeds");
        plot.XLabel("optimizer steps");
        plot.ShowLegend();
        TrainingPlots.Save(plot, path);
    }
}
