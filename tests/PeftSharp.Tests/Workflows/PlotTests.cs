using System.Text.Json.Nodes;
using PeftSharp.Data;
using PeftSharp.Training;
using PeftSharp.Tuners;
using PeftSharp.Workflows;

namespace PeftSharp.Tests.Workflows;

/// <summary>
/// The PNGs a comparison and a run write: labelled axes, legends beside the data (never over a curve's end), series that
/// stay apart when their values are equal, whole-number ticks on step and layer axes, and a single evaluation as bars.
/// </summary>
public class PlotTests
{
    /// <summary>A comparison where DoRA and Dual LoRA both reach full rank on every layer: equal rank series.</summary>
    private static (IReadOnlyList<MethodComparison> Results, string Output) Comparison()
    {
        var model = TinyHfModels.Gpt2();
        var data = TinyHfModels.Jsonl(Enumerable.Range(0, 8).Select(i => $$"""{"prompt": "item {{i}}:", "completion": " value {{i * 3}}"}""").ToArray());
        var output = Directory.CreateTempSubdirectory("peft-plots-").FullName;
        var results = CompareWorkflow.Run(new CompareSettings
        {
            Base = new TrainSettings
            {
                ModelDirectory = model, DataPath = data, EvalDataPath = data, OutputDirectory = output, Task = TaskSpec.CausalLm,
                Trainer = new TrainerOptions { OutputDirectory = output, LearningRate = 5e-3, MaxSteps = 6, BatchSize = 2, LoggingSteps = 1 },
            },
            Runs = new[] { "lora", "dora", "dual-lora" }.Select(m => MethodRun.ForBudget(PeftMethods.Get(m), 4)).ToList(), Seeds = [3], OutputDirectory = output,
        }, _ => null);
        return (results, output);
    }

    private static bool IntegerTicks(ScottPlot.Plot plot) => plot.Axes.Bottom.TickGenerator is ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly: true };

    [Fact]
    public void Comparison_plots_label_both_axes_keep_legends_off_the_data_and_equal_series_visible()
    {
        var (results, output) = Comparison();
        foreach (var file in new[] { "comparison.png", "loss_curves.png", "effective_rank.png" })
            Assert.True(new FileInfo(Path.Combine(output, file)).Length > 0, file);

        var ranks = ComparisonPlots.RankPlot(results);
        var series = ranks.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToList();
        Assert.Equal(3, series.Count);
        Assert.Equal(3, series.Select(s => (s.MarkerShape, s.MarkerSize)).Distinct().Count()); // equal values, different marks
        Assert.True(IntegerTicks(ranks));
        Assert.Equal(3, series.Select(s => s.LinePattern).Distinct().Count());
        foreach (var plot in new[] { ranks, ComparisonPlots.LossPlot(results), ComparisonPlots.MetricPlot(results) })
            Assert.False(string.IsNullOrEmpty(plot.Axes.Left.Label.Text));
        Assert.True(IntegerTicks(ComparisonPlots.LossPlot(results)));
        Assert.Equal("dev loss over 8 examples", ComparisonPlots.MetricPlot(results).Axes.Title.Label.Text); // one seed: no "mean ± std"
    }

    [Fact]
    public void One_evaluation_is_drawn_as_labelled_bars_not_a_point_on_a_step_axis()
    {
        JsonObject Entry(long step, double accuracy, double f1) => new() { ["step"] = step, ["eval_accuracy"] = accuracy, ["eval_f1"] = f1 };
        var single = TrainingPlots.EvaluationPlot([Entry(125, 0.5, 0.25)], ["eval_accuracy", "eval_f1"]);
        var bars = Assert.Single(single.GetPlottables().OfType<ScottPlot.Plottables.BarPlot>());
        Assert.Equal(["0.5", "0.25"], bars.Bars.Select(b => b.Label));
        Assert.Empty(single.GetPlottables().OfType<ScottPlot.Plottables.Scatter>());
        Assert.Equal("value", single.Axes.Left.Label.Text);

        var several = TrainingPlots.EvaluationPlot([Entry(50, 0.4, 0.2), Entry(100, 0.5, 0.25)], ["eval_accuracy", "eval_f1"]);
        Assert.Equal(2, several.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Count());
        Assert.True(IntegerTicks(several));
    }
}
