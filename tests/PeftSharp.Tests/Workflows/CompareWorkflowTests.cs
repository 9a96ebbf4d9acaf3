using PeftSharp.Data;
using System.Text.Json.Nodes;
using PeftSharp.Training;
using PeftSharp.Tuners;
using PeftSharp.Workflows;

namespace PeftSharp.Tests.Workflows;

public class CompareWorkflowTests
{
    [Fact]
    public void LoRA_and_Dual_LoRA_at_an_equal_budget_give_a_table_json_and_plots_with_equal_parameter_counts()
    {
        var model = TinyHfModels.Gpt2();
        var data = TinyHfModels.Jsonl(Enumerable.Range(0, 6).Select(i => $$"""{"prompt": "item {{i}}:", "completion": " value {{i * 3}}"}""").ToArray());
        var output = Directory.CreateTempSubdirectory("peft-compare-").FullName;
        var results = CompareWorkflow.Run(new CompareSettings
        {
            Base = new TrainSettings
            {
                ModelDirectory = model, DataPath = data, EvalDataPath = data, OutputDirectory = output, Task = TaskSpec.CausalLm,
                Trainer = new TrainerOptions { OutputDirectory = output, LearningRate = 5e-3, Epochs = 2, BatchSize = 2, LoggingSteps = 1 },
            },
            // LoRA r 4 ≡ Dual LoRA r1 = r2 = 2
            Runs = [MethodRun.ForBudget(PeftMethods.Get("lora"), 4), MethodRun.ForBudget(PeftMethods.Get("dual-lora"), 4)], Seeds = [3], OutputDirectory = output,
        }, _ => null);

        Assert.Equal(["lora", "dual-lora"], results.Select(r => r.Method));
        Assert.True(results[0].TrainableParameters > 0);
        Assert.Equal(results[0].TrainableParameters, results[1].TrainableParameters);
        Assert.All(results, r => Assert.Single(r.Runs)); // one seed
        foreach (var file in new[] { "comparison.md", "comparison.json", "comparison.png", "loss_curves.png", "effective_rank.png" })
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        Assert.All(results, r => Assert.True(File.Exists(Path.Combine(output, r.Method, "adapter_model.safetensors")), r.Method));

        var table = File.ReadAllLines(Path.Combine(output, "comparison.md"));
        var count = results[0].TrainableParameters.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.StartsWith($"| lora | {count} |", Assert.Single(table, l => l.StartsWith("| lora |")));
        Assert.StartsWith($"| dual-lora | {count} |", Assert.Single(table, l => l.StartsWith("| dual-lora |")));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "comparison.json")))!.AsArray();
        Assert.Equal(["lora", "dual-lora"], json.Select(c => c!["method"]!.GetValue<string>()));
        Assert.All(json, c => Assert.Equal(results[0].TrainableParameters, c!["trainable_parameters"]!.GetValue<long>()));
    }

    [Fact]
    public void A_learning_rate_grid_picks_each_runs_best_dev_rate_and_a_given_rate_is_kept()
    {
        var model = TinyHfModels.Gpt2();
        var data = TinyHfModels.Jsonl(Enumerable.Range(0, 6).Select(i => $$"""{"prompt": "item {{i}}:", "completion": " value {{i * 3}}"}""").ToArray());
        var output = Directory.CreateTempSubdirectory("peft-compare-lr-").FullName;
        var results = CompareWorkflow.Run(new CompareSettings
        {
            Base = new TrainSettings
            {
                ModelDirectory = model, DataPath = data, EvalDataPath = data, OutputDirectory = output, Task = TaskSpec.CausalLm,
                Trainer = new TrainerOptions { OutputDirectory = output, LearningRate = 5e-3, Epochs = 1, BatchSize = 2, LoggingSteps = 1 },
            },
            Runs = [MethodRun.ForBudget(PeftMethods.Get("lora"), 4), MethodRun.ForBudget(PeftMethods.Get("dual-lora"), 4, learningRate: 2e-3)],
            Seeds = [3, 4], OutputDirectory = output, LearningRateGrid = [1e-5, 3e-2],
        }, _ => null);

        var (lora, dual) = (results[0], results[1]);
        // The dev metric of these rows is the loss (prompt/completion without references): lower wins.
        Assert.Equal("loss", lora.Metric);
        var best = lora.LearningRateSearch.MinBy(t => t.DevMetric)!;
        Assert.Equal(best.LearningRate, lora.LearningRate);
        Assert.Same(best.Run, lora.Runs[0]);
        Assert.Equal(2, lora.Runs.Count);
        Assert.Equal(best.LearningRate, lora.Runs[1].Settings!.Trainer.LearningRate);
        Assert.Equal(4, lora.Runs[1].Settings!.Trainer.Seed);
        Assert.Empty(dual.LearningRateSearch);
        Assert.All(dual.Runs, r => Assert.Equal(2e-3, r.Settings!.Trainer.LearningRate));
        var table = File.ReadAllText(Path.Combine(output, "comparison.md"));
        Assert.Contains($"| {CompareWorkflow.FormatRate(best.LearningRate)} * |", table);
        Assert.Contains("| 2e-3 |", table);
        Assert.Contains("learning rate chosen on dev with the first seed", table);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "comparison.json")))!.AsArray();
        Assert.Equal(2, json[0]!["learning_rate_search"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("accuracy", new[] { 0.4, 0.6, 0.5 }, 1)]
    [InlineData("loss", new[] { 0.4, 0.6, 0.3 }, 2)]
    [InlineData("accuracy", new[] { double.NaN, 0.2, 0.2 }, 1)] // a diverged run never wins; ties go to the earlier rate
    [InlineData("loss", new[] { double.NaN, double.NaN }, 0)]
    public void The_best_trial_follows_the_metrics_direction(string metric, double[] dev, int expected) =>
        Assert.Equal(expected, CompareWorkflow.BestTrial(dev.Select((v, i) => new LearningRateTrial(i + 1, v, null!)).ToList(), metric));

    [Fact]
    public void Learning_rate_selection_without_evaluation_data_is_refused()
    {
        var settings = new CompareSettings
        {
            Base = new TrainSettings { ModelDirectory = "m", DataPath = "d", OutputDirectory = "o", Trainer = new TrainerOptions { OutputDirectory = "o" } },
            Runs = [MethodRun.ForBudget(PeftMethods.Get("lora"), 4)], OutputDirectory = "o", LearningRateGrid = [1e-3],
        };
        Assert.Equal("EvalDataPath", Assert.Throws<InvalidOptionException>(() => CompareWorkflow.Run(settings, _ => null)).Option);
        Assert.Equal("LearningRateGrid", Assert.Throws<InvalidOptionException>(() => CompareWorkflow.Run(settings with { LearningRateGrid = [1e-3, 0] }, _ => null)).Option);
    }
}
