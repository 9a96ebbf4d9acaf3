using System.Globalization;
using System.Text.Json.Nodes;
using PeftSharp.Training;

namespace PeftSharp.Workflows;

/// <summary>The comparison's PNG charts: primary metric per method, loss curves, effective rank of ΔW per layer.</summary>
internal static class ComparisonPlots
{
    public static void Write(string directory, IReadOnlyList<MethodComparison> comparisons)
    {
        TrainingPlots.Save(MetricPlot(comparisons), Path.Combine(directory, "comparison.png"));
        TrainingPlots.Save(LossPlot(comparisons), Path.Combine(directory, "loss_curves.png"));
        TrainingPlots.Save(RankPlot(comparisons), Path.Combine(directory, "effective_rank.png"));
    }

    /// <summary>The primary metric per method (test when every method has it, else dev), mean ± std over seeds, with its value on each bar.</summary>
    internal static ScottPlot.Plot MetricPlot(IReadOnlyList<MethodComparison> comparisons)
    {
        var labels = comparisons.Select(c => c.Method).ToArray();
        var positions = Enumerable.Range(0, labels.Length).Select(i => (double)i).ToArray();
        var plot = new ScottPlot.Plot();
        var useTest = comparisons.All(c => c.Test.Count > 0);
        double scale = CompareWorkflow.DisplayScale(comparisons[0].Metric);
        var values = comparisons.Select(c => (useTest ? c.Test : c.Dev) is var s && s.Count > 0 ? s.Mean * scale : 0).ToArray();
        var errors = comparisons.Select(c => (useTest ? c.Test : c.Dev).Std * scale).ToArray();
        var bars = plot.Add.Bars(positions, values);
        for (int i = 0; i < bars.Bars.Count; i++) { bars.Bars[i].Error = errors[i]; bars.Bars[i].Label = values[i].ToString("F1", CultureInfo.InvariantCulture); }
        bars.ValueLabelStyle.FontSize = 12;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        var examples = useTest ? comparisons[0].Runs[0].TestExamples : comparisons[0].Runs[0].EvalExamples;
        int seeds = comparisons[0].Runs.Count;
        plot.Title(string.Create(CultureInfo.InvariantCulture,
            $"{(useTest ? "test" : "dev")} {comparisons[0].Metric}{(examples is { } n ? $" over {n:N0} examples" : "")}{(seeds > 1 ? $", mean ± std over {seeds} seeds" : "")}"));
        plot.YLabel($"{comparisons[0].Metric}{(scale == 100 ? " (%)" : "")}");
        plot.Axes.Margins(bottom: 0);
        return plot;
    }

    /// <summary>Each method's training loss over steps (its first seed).</summary>
    internal static ScottPlot.Plot LossPlot(IReadOnlyList<MethodComparison> comparisons)
    {
        var plot = new ScottPlot.Plot();
        for (int i = 0; i < comparisons.Count; i++)
        {
            var log = Path.Combine(comparisons[i].Runs[0].OutputDirectory, MetricsLog.FileName);
            if (!File.Exists(log)) continue;
            var points = File.ReadLines(log).Select(l => JsonNode.Parse(l)!.AsObject()).Where(e => e["loss"] is JsonValue)
                .Select(e => (X: Number(e["step"]!), Y: Number(e["loss"]!))).ToList();
            if (points.Count == 0) continue;
            TrainingPlots.Line(plot, points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), comparisons[i].Method, i);
        }
        plot.Title("Training loss (first seed)");
        plot.XLabel("optimizer step");
        plot.YLabel("loss (mean per logging window)");
        TrainingPlots.IntegerTicks(plot.Axes.Bottom);
        TrainingPlots.Legend(plot);
        return plot;
    }

    /// <summary>The numerical rank of each adapted layer's ΔW per method (its first seed): the Dual LoRA paper's Fig. 3.</summary>
    internal static ScottPlot.Plot RankPlot(IReadOnlyList<MethodComparison> comparisons)
    {
        var plot = new ScottPlot.Plot();
        for (int i = 0; i < comparisons.Count; i++)
        {
            var ranks = comparisons[i].Runs[0].EffectiveRanks;
            if (ranks.Count == 0) continue;
            TrainingPlots.Line(plot, Enumerable.Range(0, ranks.Count).Select(x => (double)x).ToArray(), ranks.Select(x => (double)x.Rank).ToArray(), comparisons[i].Method, i);
        }
        plot.Title("Effective rank of ΔW per adapted layer (first seed)");
        plot.XLabel("adapted layer (model order)");
        plot.YLabel("numerical rank");
        TrainingPlots.IntegerTicks(plot.Axes.Bottom);
        TrainingPlots.Legend(plot);
        return plot;
    }

    private static double Number(JsonNode node) => double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture);
}
