using PeftSharp.Training;
using PeftSharp.Tuners;
using PeftSharp.Tuners.Lora;
using PeftSharp.Workflows;

namespace PeftSharp.Tests.Workflows;

/// <summary>Invalid training options fail at once, naming the option by its library name, before any model or data is read.</summary>
public class OptionValidationTests
{
    private static readonly Dictionary<string, (string Option, Func<TrainSettings, TrainSettings> Break)> Cases = new()
    {
        ["lr 0"] = ("LearningRate", s => s with { Trainer = s.Trainer with { LearningRate = 0 } }),
        ["lr NaN"] = ("LearningRate", s => s with { Trainer = s.Trainer with { LearningRate = double.NaN } }),
        ["lr ∞"] = ("LearningRate", s => s with { Trainer = s.Trainer with { LearningRate = double.PositiveInfinity } }),
        ["weight-decay -0.1"] = ("WeightDecay", s => s with { Trainer = s.Trainer with { WeightDecay = -0.1 } }),
        ["loraplus-lr-ratio 0"] = ("loraplus_lr_ratio", s => s with { Adapter = new LoraConfig { LoraPlusLrRatio = 0 } }),
        ["warmup-steps -1"] = ("WarmupSteps", s => s with { Trainer = s.Trainer with { WarmupSteps = -1 } }),
        ["warmup-ratio 1.5"] = ("WarmupRatio", s => s with { Trainer = s.Trainer with { WarmupRatio = 1.5 } }),
        ["epochs 0"] = ("Epochs", s => s with { Trainer = s.Trainer with { Epochs = 0 } }),
        ["max-steps -1"] = ("MaxSteps", s => s with { Trainer = s.Trainer with { MaxSteps = -1 } }),
        ["batch-size 0"] = ("BatchSize", s => s with { Trainer = s.Trainer with { BatchSize = 0 } }),
        ["grad-accum 0"] = ("GradientAccumulation", s => s with { Trainer = s.Trainer with { GradientAccumulation = 0 } }),
        ["max-grad-norm -1"] = ("MaxGradNorm", s => s with { Trainer = s.Trainer with { MaxGradNorm = -1 } }),
        ["max-grad-norm NaN"] = ("MaxGradNorm", s => s with { Trainer = s.Trainer with { MaxGradNorm = double.NaN } }),
        ["eval-steps -1"] = ("EvalSteps", s => s with { Trainer = s.Trainer with { EvalSteps = -1 } }),
        ["save-steps -1"] = ("SaveSteps", s => s with { Trainer = s.Trainer with { SaveSteps = -1 } }),
        ["keep-last -1"] = ("KeepLastCheckpoints", s => s with { Trainer = s.Trainer with { KeepLastCheckpoints = -1 } }),
        ["logging-steps 0"] = ("LoggingSteps", s => s with { Trainer = s.Trainer with { LoggingSteps = 0 } }),
        ["early-stopping-patience 0"] = ("EarlyStoppingPatience", s => s with { Trainer = s.Trainer with { EarlyStoppingPatience = 0 } }),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void An_invalid_option_is_reported_by_name_before_the_model_is_loaded(string name)
    {
        var (option, breakIt) = Cases[name];
        var valid = new TrainSettings
        {
            ModelDirectory = "/no/such/model", DataPath = "/no/such/data.jsonl", OutputDirectory = "/no/such/out",
            Adapter = new LoraConfig(), Trainer = new TrainerOptions { OutputDirectory = "/no/such/out" },
        };
        Assert.Equal("/no/such/model: model folder not found", Assert.ThrowsAny<PeftSharpException>(() => TrainWorkflow.Run(valid)).Message);
        var e = Assert.Throws<InvalidOptionException>(() => TrainWorkflow.Run(breakIt(valid)));
        Assert.Equal(option, e.Option);
    }
}
