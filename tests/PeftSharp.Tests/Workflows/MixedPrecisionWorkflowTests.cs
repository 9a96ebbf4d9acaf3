using PeftSharp.Data;
using PeftSharp.IO;
using PeftSharp.Training;
using PeftSharp.Tuners;
using PeftSharp.Workflows;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Workflows;

public class MixedPrecisionWorkflowTests
{
    private static string Out() => Directory.CreateTempSubdirectory("peft-mixed-out-").FullName;

    [Fact]
    public void A_bfloat16_run_with_checkpointing_trains_and_saves_a_float32_adapter_that_merges_into_bfloat16()
    {
        var model = TinyHfModels.Gpt2();
        var data = TinyHfModels.Jsonl(
            """{"text": "a small domestic animal that barks"}""", """{"text": "move fast on foot"}""",
            """{"text": "of the colour of blood"}""", """{"text": "a domestic animal that purrs"}""");
        var output = Out();
        var run = TrainWorkflow.Run(new TrainSettings
        {
            ModelDirectory = model, DataPath = data, EvalDataPath = data, OutputDirectory = output, Task = TaskSpec.CausalLm,
            Adapter = PeftMethods.Get("lora").ForBudget(4)! with { TargetModules = TargetModules.AllLinear },
            Dtype = ScalarType.BFloat16, GradientCheckpointing = true,
            Trainer = new TrainerOptions { OutputDirectory = output, LearningRate = 3e-2, Epochs = 20, BatchSize = 2, LoggingSteps = 5, Seed = 1 },
        });
        var firstLoss = File.ReadLines(Path.Combine(output, MetricsLog.FileName))
            .Select(line => System.Text.Json.Nodes.JsonNode.Parse(line)!["loss"]).First(loss => loss is not null)!.GetValue<double>();
        Assert.True(run.Train.LastLoss < 0.7 * firstLoss, $"loss {firstLoss} → {run.Train.LastLoss}");
        using (var adapter = SafetensorsFile.Open(Path.Combine(output, AdapterFormat.WeightsFileName)))
            Assert.All(adapter.Keys, key => Assert.Equal(ScalarType.Float32, adapter.ReadTensor(key).dtype));

        var merged = Out();
        MergeWorkflow.Run(model, output, merged, ScalarType.BFloat16);
        using var weights = SafetensorsFile.Open(Path.Combine(merged, "model.safetensors"));
        Assert.All(weights.Keys, key => Assert.Equal(ScalarType.BFloat16, weights.ReadTensor(key).dtype));
    }
}
