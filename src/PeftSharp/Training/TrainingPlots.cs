using System.Text.Json.Nodes;
using PeftSharp.IO;

namespace PeftSharp.Training;

/// <summary>PNG plots of a run next to its output: the loss curve and the evaluation metrics over steps.</summary>
internal static class TrainingPlots
{
    public const string LossFile = "loss.png";
    public const string MetricsFile = "eval_metrics.png";

    public static void Write(string outputDirectory, IReadOnlyList<JsonObject> entries)
    {
        var loss = Series(entries, "loss");
        var evalLoss = Series(entries, "eval_loss");
        if (loss.Xs.Length > 0)
        {
            var plot = new ScottPlot.Plot();
            var train = plot.Add.Scatter(loss.Xs, loss.Ys);
            train.LegendText = "train loss";
            if (evalLoss.Xs.Length > 0) plot.Add.Scatter(evalLoss.Xs, evalLoss.Ys).LegendText = "eval loss";
            plot.Title("Loss");
            plot.XLabel("optimizer step");
            plot.YLabel("loss");
            plot.ShowLegend();
            Save(plot, Path.Combine(outputDirectory, LossFile));
        }
        var metricNames = entries.SelectMany(e => e.Select(p => p.Key))
            .Where(k => k.StartsWith("eval_", StringComparison.Ordinal) && k != "eval_loss").Distinct().OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (metricNames.Count > 0)
        {
            var plot = new ScottPlot.Plot();
            foreach (var name in metricNames)
            {
                var series = Series(entries, name);
                var line = plot.Add.Scatter(series.Xs, series.Ys);
                line.LegendText = name["eval_".Length..];
            }
            plot.Title("Evaluation");
            plot.XLabel("optimizer step");
            plot.ShowLegend();
            Save(plot, Path.Combine(outputDirectory, MetricsFile));
        }
    }

    static (double[] Xs, double[] Ys) Series(IReadOnlyList<JsonObject> entries, string key)
    {
        var points = entries.Where(e => e[key] is JsonValue)
            .Select(e => (X: Number(e["step"]!), Y: Number(e[key]!))).ToList();
        return (points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
    }

    /// <summary>A JSON number whether it was parsed from text or built in memory as a long or a double.</summary>
    static double Number(JsonNode node) => double.Parse(node.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Renders to PNG bytes and writes them atomically.</summary>
    public static void Save(ScottPlot.Plot plot, string path, int width = 800, int height = 500) =>
        AtomicFile.WriteAllBytes(path, plot.GetImage(width, height).GetImageBytes(ScottPlot.ImageFormat.Png));
}
