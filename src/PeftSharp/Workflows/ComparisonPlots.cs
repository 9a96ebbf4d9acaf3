using System.Text.Json.Nodes;
using PeftSharp.Training;

namespace PeftSharp.Workflows;

/// <summary>The comparison's PNG charts: primary metric per method, loss curves, effective rank of ΔW per layer.</summary>
internal static class ComparisonPlots
{
    public static void Write(string directory, IReadOnlyList<MethodComparison> comparisons)
    {
        var labels = comparisons.Select(c => c.Method).ToArray();
        var positions = Enumerable.Range(0, labels.Length).Select(i => (double)i).ToArray();

        var bars = new ScottPlot.Plot();
        var useTest = comparisons.All(c => c.Test.Count > 0);
        double scale = CompareWorkflow.DisplayScale(comparisons[0].Metric);
        var values = comparisons.Select(c => (useTest ? c.Test : c.Dev) is var s && s.Count > 0 ? s.Mean * scale : 0).ToArray();
        var errors = comparisons.Select(c => (useTest ? c.Test : c.Dev).Std * scale).ToArray();
        var barPlot = bars.Add.Bars(positions, values);
        for (int i = 0; i < barPlot.Bars.Count; i++) { barPlot.Bars[i].Error = errors[i]; barPlot.Bars[i].Label = values[i].ToString("F1", System.Globalization.CultureInfo.InvariantCulture); }
        barPlot.ValueLabelStyle.FontSize = 12;
        bars.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        bars.Title($"{(useTest ? "test" : "dev")} {comparisons[0].Metric}, mean ± std over seeds");
        bars.YLabel($"{comparisons[0].Metric}{(scale == 100 ? " (%)" : "")}");
        bars.Axes.Margins(bottom: 0);
        TrainingPlots.Save(bars, Path.Combine(directory, "comparison.png"));

        var losses = new ScottPlot.Plot();
        for (int i = 0; i < comparisons.Count; i++)
        {
            var log = Path.Combine(comparisons[i].Runs[0].OutputDirectory, MetricsLog.FileName);
            if (!File.Exists(log)) continue;
            var points = File.ReadLines(log).Select(l => JsonNode.Parse(l)!.AsObject()).Where(e => e["loss"] is JsonValue)
                .Select(e => (X: Number(e["step"]!), Y: Number(e["loss"]!))).ToList();
            if (points.Count == 0) continue;
            TrainingPlots.Line(losses, points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), comparisons[i].Method, i);
        }
        losses.Title("Training loss (first seed)");
        losses.XLabel("optimizer step");
        losses.YLabel("loss (mean per logging window)");
        TrainingPlots.IntegerTicks(losses.Axes.Bottom);
        TrainingPlots.Legend(losses);
        TrainingPlots.Save(losses, Path.Combine(directory, "loss_curves.png"));

        var ranks = new ScottPlot.Plot();
        for (int i = 0; i < comparisons.Count; i++)
        {
            var r = comparisons[i].Runs[0].EffectiveRanks;
            if (r.Count == 0) continue;
            TrainingPlots.Line(ranks, Enumerable.Range(0, r.Count).Select(x => (double)x).ToArray(), r.Select(x => (double)x.Rank).ToArray(), comparisons[i].Method, i);
        }
        ranks.Title("Effective rank of ΔW per adapted layer (first seed)");
        ranks.XLabel("adapted layer (model order)");
        ranks.YLabel("numerical rank");
        TrainingPlots.IntegerTicks(ranks.Axes.Bottom);
        TrainingPlots.Legend(ranks);
        TrainingPlots.Save(ranks, Path.Combine(directory, "effective_rank.png"));
    }

    static double Number(JsonNode node) => double.Parse(node.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);
}
