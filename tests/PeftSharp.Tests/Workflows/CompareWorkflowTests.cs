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
}
