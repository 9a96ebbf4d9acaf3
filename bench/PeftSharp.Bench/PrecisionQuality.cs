using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using PeftSharp.Training;
using PeftSharp.Tuners;
using PeftSharp.Workflows;
using static TorchSharp.torch;

namespace PeftSharp.Bench;

/// <summary>
/// Whether bfloat16 mixed precision trains as well as float32: the demo's comparison (wn-lexname, its settings, seeds 42
/// and 43) for LoRA and Dual LoRA in both dtypes, accuracies side by side and the loss curves in one plot.
/// </summary>
internal static class PrecisionQuality
{
    public const string PlotFile = "precision-loss.png";
    private static readonly ScalarType[] Dtypes = [ScalarType.Float32, ScalarType.BFloat16];

    public static string Report(BenchSettings settings)
    {
        var root = Directory.CreateTempSubdirectory("peftsharp-bench-quality-").FullName;
        try
        {
            var results = Dtypes.ToDictionary(dtype => dtype, dtype => Compare(dtype, Path.Combine(root, dtype.ToString()), settings));
            var text = new StringBuilder();
            text.AppendLine("## Mixed precision: training quality").AppendLine();
            text.AppendLine("`peft demo`'s comparison (wn-lexname, 125 steps of batch 32, lr 5e-3, seeds 42 and 43; LoRA r = 8, Dual LoRA r1 = r2 = 4) " +
                            "for LoRA and Dual LoRA, with the shipped model in float32 and in bfloat16 (`--dtype bfloat16`). Accuracy in %, mean ± std over the seeds. " +
                            $"Loss curves (seed 42, both dtypes): [{PlotFile}]({PlotFile}).").AppendLine();
            var rows = new List<IReadOnlyList<string>>();
            var targets = new List<string>();
            foreach (var method in results[ScalarType.Float32].Select(c => c.Method))
            {
                var (single, half) = (results[ScalarType.Float32].Single(c => c.Method == method), results[ScalarType.BFloat16].Single(c => c.Method == method));
                foreach (var (dtype, c) in new[] { ("float32", single), ("bfloat16", half) })
                    rows.Add([method, dtype, c.Dev.Format(100), c.Test.Format(100), c.TrainSeconds.Format(1, "F1"), c.TrainingMemoryMb.Format(1, "F0")]);
                foreach (var (split, a, b) in new[] { ("dev", single.Dev, half.Dev), ("test", single.Test, half.Test) })
                {
                    double gap = Math.Abs(a.Mean - b.Mean), spread = Math.Max(a.Std, b.Std);
                    targets.Add(Markdown.Target($"{method} bfloat16 {split} accuracy within the seeds' spread of float32", gap <= spread,
                        $"|Δ mean| {Markdown.Number(100 * gap, 2)} vs the larger std {Markdown.Number(100 * spread, 2)} (points)"));
                }
            }
            text.Append(Markdown.Table(["method", "dtype", "dev accuracy (%)", "test accuracy (%)", "train time (s)", "training memory (MB)"], rows)).AppendLine();
            foreach (var target in targets) text.AppendLine(target);
            if (!settings.IsSmoke) PlotLosses(results, PlotFile);
            return text.AppendLine().ToString();
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static IReadOnlyList<MethodComparison> Compare(ScalarType dtype, string output, BenchSettings settings)
    {
        var compare = DemoWorkflow.Settings("wn-lexname", quick: settings.IsSmoke, seeds: 2, [PeftMethods.Get("lora"), PeftMethods.Get("dual-lora")], output);
        var trainer = settings.IsSmoke ? compare.Base.Trainer with { MaxSteps = 2 } : compare.Base.Trainer;
        compare = compare with { Base = compare.Base with { Dtype = dtype, Trainer = trainer, EvalMaxExamples = settings.IsSmoke ? 20 : compare.Base.EvalMaxExamples } };
        return CompareWorkflow.Run(compare, name => { Progress.Log($"quality: {dtype} {name}"); return null; });
    }

    private static void PlotLosses(Dictionary<ScalarType, IReadOnlyList<MethodComparison>> results, string path)
    {
        var plot = new ScottPlot.Plot();
        foreach (var (dtype, comparisons) in results)
            foreach (var c in comparisons)
            {
                var points = File.ReadLines(Path.Combine(c.Runs[0].OutputDirectory, MetricsLog.FileName))
                    .Select(l => JsonNode.Parse(l)!.AsObject()).Where(e => e["loss"] is JsonValue)
                    .Select(e => (X: e["step"]!.GetValue<double>(), Y: e["loss"]!.GetValue<double>())).ToList();
                var line = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
                line.LegendText = $"{c.Method}, {dtype.ToString().ToLower(CultureInfo.InvariantCulture)}";
                if (dtype != ScalarType.Float32) line.LinePattern = ScottPlot.LinePattern.Dashed;
            }
        plot.Title("wn-lexname training loss, seed 42: float32 (solid) vs bfloat16 mixed (dashed)");
        plot.XLabel("optimizer step");
        plot.ShowLegend();
        TrainingPlots.Save(plot, path);
    }
}
