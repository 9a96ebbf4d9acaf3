using System.Globalization;
using System.Text.Json.Nodes;
using PeftSharp.IO;

namespace PeftSharp.Training;

/// <summary>
/// PNG plots of a run next to its output: the loss curve and the evaluation metrics over steps, and the shared style of
/// every PeftSharp plot (legends outside the data so they never hide a curve's end, markers that keep equal series apart,
/// axis labels on both axes).
/// </summary>
internal static class TrainingPlots
{
    public const string LossFile = "loss.png";
    public const string MetricsFile = "eval_metrics.png";

    // Hollow marks of decreasing size and different dashes: a series drawn over an equal one leaves it visible around it.
    private static readonly ScottPlot.MarkerShape[] Markers =
    [
        ScottPlot.MarkerShape.OpenCircle, ScottPlot.MarkerShape.OpenSquare, ScottPlot.MarkerShape.OpenTriangleUp,
        ScottPlot.MarkerShape.OpenDiamond, ScottPlot.MarkerShape.Cross, ScottPlot.MarkerShape.Eks, ScottPlot.MarkerShape.OpenTriangleDown,
    ];

    private static readonly ScottPlot.LinePattern[] Dashes =
        [ScottPlot.LinePattern.Solid, ScottPlot.LinePattern.Dashed, ScottPlot.LinePattern.Dotted, ScottPlot.LinePattern.DenselyDashed];

    public static void Write(string outputDirectory, IReadOnlyList<JsonObject> entries)
    {
        var loss = Series(entries, "loss");
        var evalLoss = Series(entries, "eval_loss");
        if (loss.Xs.Length > 0)
        {
            var plot = new ScottPlot.Plot();
            Line(plot, loss.Xs, loss.Ys, "train", 0);
            if (evalLoss.Xs.Length > 0) Line(plot, evalLoss.Xs, evalLoss.Ys, "dev", 1);
            plot.Title("Loss");
            plot.XLabel("optimizer step");
            plot.YLabel("loss (train: mean per logging window)");
            IntegerTicks(plot.Axes.Bottom);
            Legend(plot);
            Save(plot, Path.Combine(outputDirectory, LossFile));
        }
        var metricNames = entries.SelectMany(e => e.Select(p => p.Key))
            .Where(k => k.StartsWith("eval_", StringComparison.Ordinal) && k != "eval_loss").Distinct().OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (metricNames.Count > 0) Save(EvaluationPlot(entries, metricNames), Path.Combine(outputDirectory, MetricsFile));
    }

    /// <summary>Metrics over steps; a single evaluation (the usual end-of-run one) as labelled bars, not one point on a step axis.</summary>
    internal static ScottPlot.Plot EvaluationPlot(IReadOnlyList<JsonObject> entries, IReadOnlyList<string> metricNames)
    {
        var plot = new ScottPlot.Plot();
        var series = metricNames.Select(name => (Name: name["eval_".Length..], Points: Series(entries, name))).ToList();
        if (series.All(s => s.Points.Xs.Length == 1))
        {
            var positions = Enumerable.Range(0, series.Count).Select(i => (double)i).ToArray();
            var bars = plot.Add.Bars(positions, series.Select(s => s.Points.Ys[0]).ToArray());
            for (int i = 0; i < bars.Bars.Count; i++)
            {
                bars.Bars[i].Label = series[i].Points.Ys[0].ToString("G4", CultureInfo.InvariantCulture);
                bars.Bars[i].Size = 0.5;
            }
            bars.ValueLabelStyle.FontSize = 14;
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, series.Select(s => s.Name).ToArray());
            plot.Axes.Margins(bottom: 0);
            plot.Axes.SetLimitsX(-1, series.Count); // room beside the bars: one metric is a bar, not a wall
            plot.Title($"Evaluation at step {series[0].Points.Xs[0].ToString(CultureInfo.InvariantCulture)}");
            plot.YLabel("value");
            return plot;
        }
        for (int i = 0; i < series.Count; i++) Line(plot, series[i].Points.Xs, series[i].Points.Ys, series[i].Name, i);
        plot.Title("Evaluation");
        plot.XLabel("optimizer step");
        plot.YLabel("value");
        IntegerTicks(plot.Axes.Bottom);
        Legend(plot);
        return plot;
    }

    /// <summary>A series drawn with the <paramref name="index"/>-th marker and dash: series with equal values stay distinguishable.</summary>
    public static ScottPlot.Plottables.Scatter Line(ScottPlot.Plot plot, double[] xs, double[] ys, string label, int index)
    {
        var line = plot.Add.Scatter(xs, ys);
        line.LegendText = label;
        line.MarkerShape = Markers[index % Markers.Length];
        line.MarkerSize = (xs.Length > 20 ? 11 : 17) - 3 * (index % 4); // later series smaller, so an equal earlier one shows around them
        line.MarkerLineWidth = 1.5f;
        line.LineWidth = 1.5f;
        line.LinePattern = Dashes[index % Dashes.Length];
        return line;
    }

    /// <summary>The legend in its own panel right of the data, never over a curve.</summary>
    public static void Legend(ScottPlot.Plot plot) => plot.ShowLegend(ScottPlot.Edge.Right);

    /// <summary>Ticks only at whole numbers (steps, layer indices).</summary>
    public static void IntegerTicks(ScottPlot.IAxis axis) => axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };

    private static (double[] Xs, double[] Ys) Series(IReadOnlyList<JsonObject> entries, string key)
    {
        var points = entries.Where(e => e[key] is JsonValue)
            .Select(e => (X: Number(e["step"]!), Y: Number(e[key]!))).ToList();
        return (points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
    }

    /// <summary>A JSON number whether it was parsed from text or built in memory as a long or a double.</summary>
    private static double Number(JsonNode node) => double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture);

    /// <summary>Renders to PNG bytes and writes them atomically.</summary>
    public static void Save(ScottPlot.Plot plot, string path, int width = 900, int height = 500) =>
        AtomicFile.WriteAllBytes(path, plot.GetImage(width, height).GetImageBytes(ScottPlot.ImageFormat.Png));
}
