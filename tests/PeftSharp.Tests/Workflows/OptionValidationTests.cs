using PeftSharp.Training;
using PeftSharp.Workflows;

namespace PeftSharp.Tests.Workflows;

/// <summary>Invalid training options fail at once, naming the option, before any model or data is read.</summary>
public class OptionValidationTests
{
    static readonly Dictionary<string, (string Option, Func<TrainSettings, TrainSettings> Break)> Cases = new()
    {
        ["lr 0"] = ("--lr", s => s with { Trainer = s.Trainer with { LearningRate = 0 } }),
        ["lr NaN"] = ("--lr", s => s with { Trainer = s.Trainer with { LearningRate = double.NaN } }),
        ["lr ∞"] = ("--lr", s => s with { Trainer = s.Trainer with { LearningRate = double.PositiveInfinity } }),
        ["weight-decay -0.1"] = ("--weight-decay", s => s with { Trainer = s.Trainer with { WeightDecay = -0.1 } }),
        ["loraplus-lr-ratio 0"] = ("--loraplus-lr-ratio", s => s with { Method = s.Method with { Method = "lora-plus", LoraPlusRatio = 0 } }),
        ["warmup-steps -1"] = ("--warmup-steps", s => s with { Trainer = s.Trainer with { WarmupSteps = -1 } }),
        ["warmup-ratio 1.5"] = ("--warmup-ratio", s => s with { WarmupRatio = 1.5 }),
        ["epochs 0"] = ("--epochs", s => s with { Trainer = s.Trainer with { Epochs = 0 } }),
        ["max-steps -1"] = ("--max-steps", s => s with { Trainer = s.Trainer with { MaxSteps = -1 } }),
        ["batch-size 0"] = ("--batch-size", s => s with { Trainer = s.Trainer with { BatchSize = 0 } }),
        ["grad-accum 0"] = ("--grad-accum", s => s with { Trainer = s.Trainer with { GradientAccumulation = 0 } }),
        ["max-grad-norm -1"] = ("--max-grad-norm", s => s with { Trainer = s.Trainer with { MaxGradNorm = -1 } }),
        ["max-grad-norm NaN"] = ("--max-grad-norm", s => s with { Trainer = s.Trainer with { MaxGradNorm = double.NaN } }),
        ["eval-steps -1"] = ("--eval-steps", s => s with { Trainer = s.Trainer with { EvalSteps = -1 } }),
        ["save-steps -1"] = ("--save-steps", s => s with { Trainer = s.Trainer with { SaveSteps = -1 } }),
        ["keep-last -1"] = ("--keep-last", s => s with { Trainer = s.Trainer with { KeepLastCheckpoints = -1 } }),
        ["logging-steps 0"] = ("--logging-steps", s => s with { Trainer = s.Trainer with { LoggingSteps = 0 } }),
        ["early-stopping-patience 0"] = ("--early-stopping-patience", s => s with { Trainer = s.Trainer with { EarlyStoppingPatience = 0 } }),
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
            Method = new MethodSettings(), Trainer = new TrainerOptions { OutputDirectory = "/no/such/out" },
        };
        Assert.Equal("--model /no/such/model: model folder not found", Assert.Throws<PeftSharpException>(() => TrainWorkflow.Run(valid)).Message);
        var e = Assert.Throws<PeftSharpException>(() => TrainWorkflow.Run(breakIt(valid)));
        Assert.StartsWith($"{option} must be ", e.Message);
    }
}
