using System.Text.Json.Nodes;
using PeftSharp.Data;
using PeftSharp.IO;
using PeftSharp.Training;
using PeftSharp.Tuners;
using PeftSharp.Tuners.Lora;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Training;

/// <summary>
/// A checkpoint continues only the run that wrote it, holds only finite values, and the log of a run survives any
/// sequence of kills and resumes.
/// </summary>
public class ResumeSafetyTests
{
    private static string TempDir() => Directory.CreateTempSubdirectory("peft-resume-").FullName;

    private static TrainerOptions Options(string dir) => new()
    {
        OutputDirectory = dir, LearningRate = 1e-2, MaxSteps = 6, BatchSize = 4, Seed = 5, LoggingSteps = 1, SaveSteps = 3,
        Schedule = ScheduleKind.Linear, WarmupSteps = 1,
    };

    private static LoraConfig Lora => new() { R = 2, LoraAlpha = 4, TargetModules = TargetModules.FromNames("fc", "lm_head") };

    private static (PeftTrainable Trainable, CountingTask Task) Setup(LoraConfig config, int examples = 24, int modelSeed = 100)
    {
        torch.manual_seed(modelSeed); // base weights (and adapter initialisation) identical in every run with this seed
        var model = new ToyLm();
        return (new PeftTrainable(PeftModel.Create(model, config)), new CountingTask(model, examples));
    }

    private static IReadOnlyList<JsonObject> Log(string dir) =>
        File.ReadAllLines(Path.Combine(dir, MetricsLog.FileName)).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    public static TheoryData<string> Changes => ["lora_alpha", "lora_dropout", "r", "WeightDecay", "MaxGradNorm", "LearningRate", "Seed", "training examples", "frozen weights"];

    [Theory]
    [MemberData(nameof(Changes))]
    public void Resuming_with_a_setting_that_shapes_the_result_changed_is_refused_naming_it(string change)
    {
        var dir = TempDir();
        var (trainable, task) = Setup(Lora);
        new Trainer(trainable, task, null, Options(dir)).Train();

        var resume = Options(dir) with { ResumeFrom = dir };
        var (config, examples, modelSeed) = (Lora, 24, 100);
        switch (change)
        {
            case "lora_alpha": config = config with { LoraAlpha = 64 }; break;
            case "lora_dropout": config = config with { LoraDropout = 0.1 }; break;
            case "r": config = config with { R = 4 }; break;
            case "WeightDecay": resume = resume with { WeightDecay = 0.1 }; break;
            case "MaxGradNorm": resume = resume with { MaxGradNorm = 0.5 }; break;
            case "LearningRate": resume = resume with { LearningRate = 0.02 }; break;
            case "Seed": resume = resume with { Seed = 6 }; break;
            case "training examples": examples = 23; break;
            case "frozen weights": modelSeed = 101; break;
        }
        (trainable, task) = Setup(config, examples, modelSeed);
        var e = Assert.ThrowsAny<PeftSharpException>(() => new Trainer(trainable, task, null, resume).Train());
        if (change.Contains(' ', StringComparison.Ordinal)) Assert.Contains($"the {change} differ", e.Message);
        else Assert.Equal(change, Assert.IsType<InvalidOptionException>(e).Option);
        Assert.Contains(TrainingCheckpoint.PathFor(dir, 6), e.Message);
    }

    [Fact]
    public void A_run_is_extended_from_its_last_checkpoint_with_the_schedule_of_the_new_length_but_not_cut_below_it()
    {
        var dir = TempDir();
        var (trainable, task) = Setup(Lora);
        new Trainer(trainable, task, null, Options(dir)).Train();

        (trainable, task) = Setup(Lora);
        var messages = new List<string>();
        var result = new Trainer(trainable, task, null, Options(dir) with { ResumeFrom = dir, MaxSteps = 9 }, new Messages(messages)).Train();
        Assert.Equal(9, result.Steps);
        Assert.Contains(messages, m => m.Contains("9 steps instead of 6", StringComparison.Ordinal));
        var steps = Log(dir).Where(r => r["lr"] is not null).ToList();
        Assert.Equal(Enumerable.Range(1, 9).Select(s => (long)s), steps.Select(r => r["step"]!.GetValue<long>()));
        // Step 7 (index 6) of a linear schedule over 9 steps with 1 warm-up step: 1 − (6 − 1)/(9 − 1) = 0.375 of the peak.
        Assert.Equal(1e-2 * 0.375, steps[6]["lr"]!.GetValue<double>(), 12);

        (trainable, task) = Setup(Lora);
        var cut = Assert.Throws<InvalidOptionException>(() => new Trainer(trainable, task, null, Options(dir) with { ResumeFrom = dir, MaxSteps = 4 }).Train());
        Assert.Equal(nameof(TrainerOptions.MaxSteps), cut.Option);
    }

    [Fact]
    public void A_new_run_into_a_folder_holding_checkpoints_is_refused_instead_of_mixing_them()
    {
        var dir = TempDir();
        var (trainable, task) = Setup(Lora);
        new Trainer(trainable, task, null, Options(dir)).Train();

        (trainable, task) = Setup(Lora);
        var e = Assert.Throws<InvalidOptionException>(() => new Trainer(trainable, task, null, Options(dir) with { KeepLastCheckpoints = 1 }).Train());
        Assert.Equal(nameof(TrainerOptions.OutputDirectory), e.Option);
        Assert.Contains("checkpoint-6", e.Message);
        Assert.Equal([3L, 6L], TrainingCheckpoint.List(dir).Select(c => c.Step));
    }

    [Fact]
    public void A_diverging_run_stops_before_any_checkpoint_or_result_holds_non_finite_parameters()
    {
        var dir = TempDir();
        var options = Options(dir) with { SaveSteps = 1 };
        torch.manual_seed(100);
        var model = new ToyLm();
        var peft = PeftModel.Create(model, Lora);
        // The loss stays finite while its gradient is not (as when a deep model's backward pass overflows): after the
        // first update the parameters are NaN, and only the next step's loss would show it.
        var e = Assert.ThrowsAny<PeftSharpException>(() => new Trainer(new PeftTrainable(peft), new FiniteLossNanGradient(model, peft), null, options).Train());
        Assert.Contains("holds", e.Message);
        Assert.Contains("non-finite", e.Message);
        Assert.Contains("the last good checkpoint is (none written yet)", e.Message);
        Assert.Empty(TrainingCheckpoint.List(dir)); // checkpoint-1 would have held NaN
        Assert.False(File.Exists(Path.Combine(dir, AdapterFormat.WeightsFileName)));
    }

    /// <summary>Counting with a zero-weighted √|B| term: the loss is unchanged, the gradient of B is 0·∞ = NaN.</summary>
    private sealed class FiniteLossNanGradient(ToyLm model, PeftModel peft) : ITrainingTask
    {
        private readonly CountingTask counting = new(model);
        public IReadOnlyList<EncodedExample> TrainExamples => counting.TrainExamples;
        public int PadTokenId => 0;
        public Tensor Loss(Batch batch) =>
            counting.Loss(batch) + peft.TrainableParameters().Single(p => p.Name.EndsWith("fc.lora_B.weight", StringComparison.Ordinal)).Parameter.abs().sqrt().sum() * 0;
    }

    [Fact]
    public void The_metrics_log_is_appended_once_per_entry_and_keeps_every_step_through_kills_and_resumes()
    {
        var dir = TempDir();
        var options = Options(dir) with { MaxSteps = 9 };
        var rewrites = 0;
        AtomicFile.BeforeCommit = path => { if (path.EndsWith(MetricsLog.FileName, StringComparison.Ordinal)) rewrites++; };
        try
        {
            var (trainable, task) = Setup(Lora);
            Assert.Throws<InvalidOperationException>(() => new Trainer(trainable, task, null, options, new CrashAt(5)).Train()); // checkpoint-3 stands
            File.AppendAllText(Path.Combine(dir, MetricsLog.FileName), """{"step": 6, "lo"""); // a line torn by the kill
            (trainable, task) = Setup(Lora);
            Assert.Throws<InvalidOperationException>(() => new Trainer(trainable, task, null, options with { ResumeFrom = dir }, new CrashAt(7)).Train());
            (trainable, task) = Setup(Lora);
            new Trainer(trainable, task, null, options with { ResumeFrom = dir }).Train();
        }
        finally
        {
            AtomicFile.BeforeCommit = null;
        }
        Assert.Equal(Enumerable.Range(1, 9).Select(s => (long)s), Log(dir).Select(r => r["step"]!.GetValue<long>()));
        Assert.Equal(3, rewrites); // one per run (starting its log, or keeping the history up to its checkpoint), never one per entry
    }

    public static TheoryData<string> Damage => ["not JSON", "no optimizer_steps", "settings of the wrong type"];

    [Theory]
    [MemberData(nameof(Damage))]
    public void A_damaged_trainer_state_is_one_line_naming_the_file(string damage)
    {
        var dir = TempDir();
        var (trainable, task) = Setup(Lora);
        new Trainer(trainable, task, null, Options(dir)).Train();
        var state = Path.Combine(TrainingCheckpoint.PathFor(dir, 6), TrainingCheckpoint.ProgressFile);
        var json = JsonNode.Parse(File.ReadAllText(state))!.AsObject();
        switch (damage)
        {
            case "not JSON": File.WriteAllText(state, "{\"progress\": "); break;
            case "no optimizer_steps": json.Remove("optimizer_steps"); File.WriteAllText(state, json.ToJsonString()); break;
            default: json["training_data"] = "x"; json["settings"] = new JsonObject { ["r"] = new JsonArray() }; File.WriteAllText(state, json.ToJsonString()); break;
        }
        (trainable, task) = Setup(Lora);
        var e = Assert.ThrowsAny<PeftSharpException>(() => new Trainer(trainable, task, null, Options(dir) with { ResumeFrom = dir }).Train());
        Assert.StartsWith(state, e.Message);
    }

    private sealed class Messages(List<string> messages) : ITrainingObserver
    {
        public void OnMessage(string message) => messages.Add(message);
    }

    /// <summary>Stands for a SIGKILL right after step <paramref name="step"/> was logged: no checkpoint, no clean-up.</summary>
    private sealed class CrashAt(long step) : ITrainingObserver
    {
        public void OnStep(StepReport report) { if (report.Step == step) throw new InvalidOperationException("simulated kill"); }
    }
}
