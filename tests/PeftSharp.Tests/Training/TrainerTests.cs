using PeftSharp.Data;
using PeftSharp.Evaluation;
using PeftSharp.IO;
using PeftSharp.Training;
using PeftSharp.Tuners;
using PeftSharp.Tuners.AdaLora;
using PeftSharp.Tuners.DualLora;
using PeftSharp.Tuners.Lora;
using PeftSharp.Tuners.Lora2;
using PeftSharp.Tuners.RankAllocation;
using TorchSharp;
using static PeftSharp.Tests.Tuners.TestTensors;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Training;

public class TrainerTests
{
    private static string TempDir() => Directory.CreateTempSubdirectory("peft-train-").FullName;

    private static (ToyLm model, PeftTrainable trainable, CountingTask task) Setup(AdapterConfig config, TrainerOptions options, int examples = 24)
    {
        torch.manual_seed(100); // base weights identical in every run
        var model = new ToyLm();
        var task = new CountingTask(model, examples);
        var peft = PeftModel.Create(model, config);
        return (model, new PeftTrainable(peft), task); // the trainer fills in AdaLoRA's total_step and Dual LoRA's ramp
    }

    private static TrainerOptions Options(string dir) => new()
    {
        OutputDirectory = dir, LearningRate = 1e-2, Epochs = 3, BatchSize = 4, GradientAccumulation = 2,
        WarmupSteps = 2, Schedule = ScheduleKind.Cosine, Seed = 5, LoggingSteps = 1, MaxGradNorm = 1.0,
    };

    private static Dictionary<string, Tensor> AdapterState(string dir)
    {
        using var file = SafetensorsFile.Open(Path.Combine(dir, AdapterFormat.WeightsFileName));
        return file.Keys.ToDictionary(k => k, k => file.ReadTensor(k));
    }

    [Fact]
    public void Training_lowers_the_loss_and_writes_adapter_log_and_plot()
    {
        var dir = TempDir();
        var options = Options(dir) with { Epochs = 8, LearningRate = 3e-2 };
        var (model, trainable, task) = Setup(new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = TargetModules.FromNames("fc", "lm_head") }, options);
        var evaluator = new LossEvaluator(task);
        model.eval();
        double before = evaluator.Evaluate()["loss"];
        var result = new Trainer(trainable, task, evaluator, options).Train();
        Assert.Equal(24, result.Steps); // ceil(24 / (4·2)) = 3 steps per epoch × 8
        Assert.True(result.FinalMetrics!["loss"] < 0.7 * before, $"loss {before} → {result.FinalMetrics["loss"]}");
        Assert.True(File.Exists(Path.Combine(dir, "adapter_config.json")));
        Assert.Equal(24 + 1, File.ReadAllLines(Path.Combine(dir, MetricsLog.FileName)).Length); // 24 steps + final eval
        Assert.True(File.Exists(Path.Combine(dir, TrainingPlots.LossFile)));
    }

    [Fact]
    public void Same_seed_gives_bit_identical_runs()
    {
        var config = new DualLoraConfig { R1 = 2, R2 = 2, LoraDropout = 0.2, UpdateWarmupSteps = 3, TargetModules = TargetModules.FromNames("fc") };
        var runs = new[] { TempDir(), TempDir() }.Select(dir =>
        {
            var (_, trainable, task) = Setup(config, Options(dir));
            new Trainer(trainable, task, null, Options(dir)).Train();
            return AdapterState(dir);
        }).ToList();
        foreach (var (key, value) in runs[0]) AssertClose(value, runs[1][key], 0, key);
    }

    private static AdapterConfig MethodConfig(string method) => method switch
    {
        "lora" => new LoraConfig { R = 2, LoraDropout = 0.3, TargetModules = TargetModules.FromNames("fc", "lm_head") },
        "lora-plus" => new LoraConfig { R = 2, LoraDropout = 0.3, LoraPlusLrRatio = 16, TargetModules = TargetModules.FromNames("fc", "lm_head") },
        "dual-lora" => new DualLoraConfig { R1 = 2, R2 = 2, LoraDropout = 0.3, UpdateWarmupSteps = 3, TargetModules = TargetModules.FromNames("fc") },
        "dual-lora-long-ramp" => new DualLoraConfig { R1 = 2, R2 = 2, UpdateWarmupSteps = 100, TargetModules = TargetModules.FromNames("fc") },
        "adalora" => new AdaLoraConfig { InitR = 4, TargetR = 2, Tinit = 1, Tfinal = 2, DeltaT = 1, LoraDropout = 0.3, TargetModules = TargetModules.FromNames("fc", "lm_head") },
        "lora2" => new Lora2Config { K = 2, InitR = 4, TargetR = 2, Tinit = 1, Tfinal = 2, DeltaT = 1, LoraDropout = 0.3, TargetModules = TargetModules.FromNames("fc", "lm_head") },
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };

    [Theory]
    [InlineData("lora")]
    [InlineData("lora-plus")]
    [InlineData("dual-lora")]
    [InlineData("adalora")]
    [InlineData("lora2")]
    public void Resuming_after_an_interruption_equals_the_uninterrupted_run_bit_for_bit(string method)
    {
        var config = MethodConfig(method);
        var straight = TempDir();
        {
            var (_, trainable, task) = Setup(config, Options(straight));
            new Trainer(trainable, task, null, Options(straight)).Train();
        }
        var interrupted = TempDir();
        {
            using var cancel = new CancellationTokenSource();
            var (_, trainable, task) = Setup(config, Options(interrupted));
            var result = new Trainer(trainable, task, null, Options(interrupted), new CancelAfter(4, cancel)).Train(cancel.Token);
            Assert.True(result.Interrupted);
            Assert.Equal(4, result.Steps);
            Assert.True(Directory.Exists(TrainingCheckpoint.PathFor(interrupted, 4)));
        }
        {
            var (_, trainable, task) = Setup(config, Options(interrupted));
            var result = new Trainer(trainable, task, null, Options(interrupted) with { ResumeFrom = interrupted }).Train();
            Assert.Equal(9, result.Steps);
        }
        var expected = AdapterState(straight);
        var actual = AdapterState(interrupted);
        Assert.Equal(expected.Keys.OrderBy(k => k), actual.Keys.OrderBy(k => k));
        foreach (var (key, value) in expected) AssertClose(value, actual[key], 0, key);
        Assert.Equal(File.ReadAllLines(Path.Combine(straight, MetricsLog.FileName)).Length, File.ReadAllLines(Path.Combine(interrupted, MetricsLog.FileName)).Length);
    }

    [Theory]
    [InlineData("dual-lora")]
    [InlineData("adalora")]
    [InlineData("lora2")]
    [InlineData("dual-lora-long-ramp")]
    public void The_trainer_drives_the_method_hooks_by_itself(string method)
    {
        var dir = TempDir();
        var (_, trainable, task) = Setup(MethodConfig(method), Options(dir));
        var peft = trainable.Model;
        var gammas = new List<double>(); // γ after each optimizer step, as the next forward pass sees it
        var observer = new StepObserver(() => { if (peft.Layers["fc"]["default"] is DualLoraLayer dual) gammas.Add(dual.Gamma); });
        new Trainer(trainable, task, null, Options(dir), observer).Train();
        if (method.StartsWith("dual-lora", StringComparison.Ordinal))
        {
            int ramp = method == "dual-lora" ? 3 : 100;
            Assert.Equal(Enumerable.Range(1, 9).Select(k => Math.Min(1.0, (double)k / ramp)), gammas);
            // After training the adapter computes its saved form (γ = 1), even when the ramp outlasts training.
            Assert.All(peft.Layers.Values, layer => Assert.Equal(1.0, ((DualLoraLayer)layer["default"]).Gamma));
            return;
        }
        // The rank allocator ran: pruned to target_r per layer and frozen; the regulariser was added and logged.
        var allocator = (RankAllocator)peft.Schedule!;
        Assert.True(allocator.Frozen);
        Assert.Equal(2 * peft.Layers.Count, allocator.ActiveTriplets);
        var pattern = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "adapter_config.json")))!["rank_pattern"]!.AsObject();
        Assert.Equal(2 * peft.Layers.Count, pattern.Sum(p => p.Value!.AsArray().Count(v => v!.GetValue<bool>())));
        var stepRows = File.ReadAllLines(Path.Combine(dir, MetricsLog.FileName)).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!).Where(r => r["lr"] is not null).ToList();
        Assert.Equal(9, stepRows.Count);
        Assert.All(stepRows, r => Assert.True(r["reg_loss"]?.GetValue<double>() > 0, r.ToJsonString()));
    }

    [Fact]
    public void Gradient_accumulation_equals_the_large_batch()
    {
        var results = new[] { (Batch: 8, Accum: 1), (Batch: 4, Accum: 2), (Batch: 2, Accum: 4) }.Select(shape =>
        {
            var dir = TempDir();
            var options = Options(dir) with { BatchSize = shape.Batch, GradientAccumulation = shape.Accum, Optimizer = OptimizerKind.Sgd, Shuffle = false, MaxGradNorm = 0 };
            var (_, trainable, task) = Setup(new LoraConfig { R = 2, TargetModules = TargetModules.FromNames("fc") }, options, examples: 16);
            new Trainer(trainable, task, null, options).Train();
            return AdapterState(dir);
        }).ToList();
        foreach (var (key, value) in results[0])
        {
            AssertClose(value, results[1][key], 1e-6, key);
            AssertClose(value, results[2][key], 1e-6, key);
        }
    }

    [Fact]
    public void Checkpoints_keep_the_last_k_and_save_initial_writes_checkpoint_0()
    {
        var dir = TempDir();
        var options = Options(dir) with { SaveSteps = 2, KeepLastCheckpoints = 2, SaveInitial = true };
        var (_, trainable, task) = Setup(new LoraConfig { R = 2, TargetModules = TargetModules.FromNames("fc") }, options);
        new Trainer(trainable, task, null, options).Train();
        Assert.Equal(new long[] { 6, 8 }, TrainingCheckpoint.List(dir).Select(c => c.Step));
        var initial = TempDir();
        var noSteps = Options(initial) with { SaveInitial = true, SaveSteps = 100 };
        (_, trainable, task) = Setup(new LoraConfig { R = 2, TargetModules = TargetModules.FromNames("fc") }, noSteps);
        new Trainer(trainable, task, null, noSteps).Train();
        Assert.Equal(new long[] { 0 }, TrainingCheckpoint.List(initial).Select(c => c.Step));
        // checkpoint-0 holds the untrained adapter: LoRA's B is zero
        using var file = SafetensorsFile.Open(Path.Combine(TrainingCheckpoint.PathFor(initial, 0), AdapterFormat.WeightsFileName));
        Assert.Equal(0, file.ReadTensor("base_model.model.fc.lora_B.weight").abs().max().item<float>());
    }

    [Fact]
    public void A_nan_loss_stops_training_with_a_clear_message_and_keeps_the_last_checkpoint()
    {
        var dir = TempDir();
        var options = Options(dir) with { SaveInitial = true };
        torch.manual_seed(1);
        var model = new ToyLm();
        var peft = PeftModel.Create(model, new LoraConfig { R = 2, TargetModules = TargetModules.FromNames("fc") });
        var e = Assert.ThrowsAny<PeftSharpException>(() =>
            new Trainer(new PeftTrainable(peft), new CountingTask(model, poison: true), null, options).Train());
        Assert.Contains("NaN", e.Message);
        Assert.Contains("checkpoint-0", e.Message);
        Assert.True(Directory.Exists(TrainingCheckpoint.PathFor(dir, 0)));
    }

    [Fact]
    public void Resuming_with_different_settings_is_refused()
    {
        var dir = TempDir();
        var options = Options(dir) with { SaveSteps = 3 };
        var (_, trainable, task) = Setup(new LoraConfig { R = 2, TargetModules = TargetModules.FromNames("fc") }, options);
        new Trainer(trainable, task, null, options).Train();
        var other = options with { LearningRate = 0.5, ResumeFrom = dir };
        (_, trainable, task) = Setup(new LoraConfig { R = 2, TargetModules = TargetModules.FromNames("fc") }, other);
        Assert.Equal(nameof(TrainerOptions.LearningRate), Assert.Throws<InvalidOptionException>(() => new Trainer(trainable, task, null, other).Train()).Option);
    }

    [Fact]
    public void Early_stopping_stops_when_the_metric_stops_improving()
    {
        var dir = TempDir();
        var options = Options(dir) with { Epochs = 50, EvalSteps = 1, EarlyStoppingMetric = "loss", EarlyStoppingPatience = 2, LearningRate = 0 + 1e-9 };
        var (model, trainable, task) = Setup(new LoraConfig { R = 2, TargetModules = TargetModules.FromNames("fc") }, options);
        var result = new Trainer(trainable, task, new LossEvaluator(task), options).Train();
        Assert.True(result.StoppedEarly);
        Assert.True(result.Steps < 150);
    }
}

/// <summary>Calls an action at every logged step (logging every step, so after every optimizer step).</summary>
internal sealed class StepObserver(Action onStep) : ITrainingObserver
{
    public void OnStep(StepReport report) => onStep();
}
