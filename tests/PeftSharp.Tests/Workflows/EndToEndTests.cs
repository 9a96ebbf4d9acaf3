using PeftSharp.Data;
using PeftSharp.Evaluation.Generation;
using PeftSharp.Training;
using PeftSharp.Tuners;
using PeftSharp.Workflows;
using TorchSharp;

namespace PeftSharp.Tests.Workflows;

public class EndToEndTests
{
    private static string Out() => Directory.CreateTempSubdirectory("peft-e2e-out-").FullName;

    private static readonly string[] Definitions =
    [
        """{"prompt": "cat (noun):", "completion": " a small domestic animal", "references": ["a small domestic animal"]}""",
        """{"prompt": "run (verb):", "completion": " move fast on foot", "references": ["move fast on foot"]}""",
        """{"prompt": "red (adjective):", "completion": " of the colour of blood", "references": ["of the colour of blood"]}""",
        """{"prompt": "dog (noun):", "completion": " a domestic animal that barks", "references": ["a domestic animal that barks"]}""",
    ];

    private static TrainSettings Causal(string model, string data, string output, string method) => new()
    {
        ModelDirectory = model, DataPath = data, EvalDataPath = data, OutputDirectory = output, Task = TaskSpec.CausalLm,
        Generation = new GenerationOptions { MaxNewTokens = 6 },
        Adapter = PeftMethods.Get(method).ForBudget(4),
        Trainer = new TrainerOptions { OutputDirectory = output, LearningRate = 5e-3, Epochs = 6, BatchSize = 2, LoggingSteps = 2, Seed = 1 },
    };

    [Theory]
    [InlineData("lora")]
    [InlineData("dual-lora")]
    [InlineData("lora2")]
    public void Train_save_load_eval_gives_the_same_metrics_merged_or_not(string method)
    {
        var model = TinyHfModels.Gpt2();
        var data = TinyHfModels.Jsonl(Definitions);
        var output = Out();
        var run = TrainWorkflow.Run(Causal(model, data, output, method));
        Assert.True(File.Exists(Path.Combine(output, "adapter_model.safetensors")));
        Assert.True(File.Exists(Path.Combine(output, TrainWorkflow.FinalMetricsFile)));
        foreach (var plot in new[] { TrainingPlots.LossFile, TrainingPlots.MetricsFile }) // the evaluator's metrics (bleu, …) are plotted too
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(Path.Combine(output, plot))[..4]);
        Assert.Contains("loss", run.EvalMetrics!.Keys);
        Assert.Equal("bleu", run.Train.PrimaryMetric); // rows with references: the generation metric leads, not the loss
        Assert.Contains("bleu", run.EvalMetrics!.Keys);

        var eval = new EvalSettings { ModelDirectory = model, AdapterDirectory = output, DataPath = data, Task = TaskSpec.CausalLm, Generation = new GenerationOptions { MaxNewTokens = 6 } };
        var reloaded = EvalWorkflow.Run(eval).Metrics;
        Assert.Equal(run.EvalMetrics!["loss"], reloaded["loss"], 5);
        Assert.Equal(run.EvalMetrics!["bleu"], reloaded["bleu"], 9);
        var merged = EvalWorkflow.Run(eval with { Merge = true }).Metrics;
        Assert.Equal(reloaded["loss"], merged["loss"], 5);
        Assert.Equal(reloaded["bleu"], merged["bleu"], 9);

        var mergedFolder = Out();
        MergeWorkflow.Run(model, output, mergedFolder);
        var standalone = EvalWorkflow.Run(eval with { ModelDirectory = mergedFolder, AdapterDirectory = null }).Metrics;
        Assert.Equal(reloaded["loss"], standalone["loss"], 5);
    }

    [Fact]
    public void Training_improves_the_held_in_loss_and_generation_reproduces_the_data()
    {
        var model = TinyHfModels.Gpt2();
        var data = TinyHfModels.Jsonl(Definitions);
        var before = EvalWorkflow.Run(new EvalSettings { ModelDirectory = model, DataPath = data, Task = TaskSpec.CausalLm, Generation = new GenerationOptions { MaxNewTokens = 6 } }).Metrics;
        var output = Out();
        var settings = Causal(model, data, output, "lora");
        var run = TrainWorkflow.Run(settings with
        {
            Adapter = PeftMethods.Get("lora").ForBudget(8)! with { TargetModules = TargetModules.AllLinear },
            Trainer = settings.Trainer with { Epochs = 40, LearningRate = 3e-2, WarmupSteps = 5 },
        });
        Assert.True(run.EvalMetrics!["loss"] < 0.5 * before["loss"], $"{before["loss"]} → {run.EvalMetrics["loss"]}");
        var text = GenerateWorkflow.Run(model, output, ["cat (noun):"], new GenerationOptions { MaxNewTokens = 8 });
        Assert.StartsWith(" a small", text[0]);
    }

    [Fact]
    public void Full_fine_tuning_writes_a_loadable_model_with_its_tokenizer()
    {
        var model = TinyHfModels.Gpt2();
        var data = TinyHfModels.Jsonl(Definitions);
        var output = Out();
        var run = TrainWorkflow.Run(Causal(model, data, output, "full"));
        Assert.Equal(run.AllParameters, run.TrainableParameters);
        Assert.True(File.Exists(Path.Combine(output, "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(output, "vocab.json")));
        var eval = EvalWorkflow.Run(new EvalSettings { ModelDirectory = output, DataPath = data, Task = TaskSpec.CausalLm, Generation = new GenerationOptions { MaxNewTokens = 6 } }).Metrics;
        Assert.Equal(run.EvalMetrics!["loss"], eval["loss"], 5);
    }

    [Fact]
    public void Classification_adapter_round_trips_with_its_head()
    {
        var model = TinyHfModels.Bert();
        var data = TinyHfModels.Jsonl(
            """{"sentence": "the quick brown fox", "label": 0}""", """{"sentence": "hello world", "label": 1}""",
            """{"sentence": "the lazy dog", "label": 0}""", """{"sentence": "hello cafe world", "label": 1}""");
        var output = Out();
        var run = TrainWorkflow.Run(new TrainSettings
        {
            ModelDirectory = model, DataPath = data, EvalDataPath = data, OutputDirectory = output, Task = TaskSpec.Classification,
            Adapter = PeftMethods.Get("lora").ForBudget(2),
            Trainer = new TrainerOptions { OutputDirectory = output, LearningRate = 2e-2, Epochs = 20, BatchSize = 2, Seed = 2 },
        });
        Assert.Equal(1.0, run.EvalMetrics!["accuracy"]);
        var eval = EvalWorkflow.Run(new EvalSettings { ModelDirectory = model, AdapterDirectory = output, DataPath = data, Task = TaskSpec.Classification }).Metrics;
        Assert.Equal(1.0, eval["accuracy"]);
        var report = InspectWorkflow.Run(output);
        Assert.Equal("lora", report.Method);
        Assert.All(report.Layers, l => Assert.Equal(2, l.EffectiveRank));
    }
}
