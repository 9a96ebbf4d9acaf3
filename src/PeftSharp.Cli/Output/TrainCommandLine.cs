using System.Globalization;
using System.Text.RegularExpressions;
using PeftSharp.Cli.Options;
using PeftSharp.Data;
using PeftSharp.Training;
using PeftSharp.Tuners;
using PeftSharp.Workflows;

namespace PeftSharp.Cli.Output;

/// <summary>
/// One run's settings as the <c>peft train</c> command that trains exactly that run: what <c>peft ablate</c> writes to
/// commands.sh. Method options are written where they differ from the method's configuration at the default budget,
/// trainer and evaluation options where they differ from <c>peft train</c>'s defaults.
/// </summary>
internal static partial class TrainCommandLine
{
    public static string For(TrainSettings settings)
    {
        var args = new List<string> { "./peft", "train" };
        void Add(string flag, object? value) { if (value is not null) args.AddRange(["--" + flag, Quote(MethodOptionBindings.Format(value))]); }

        Add("model", settings.ModelDirectory);
        Add("data", settings.DataPath);
        Add("eval-data", settings.EvalDataPath);
        Add("test-data", settings.TestDataPath);
        Add("task", settings.Task is { } task ? TaskName(task) : null);
        Add("max-length", settings.MaxLength);
        if (settings.EvalBatchSize != 32) Add("eval-batch-size", settings.EvalBatchSize);
        Add("eval-max-examples", settings.EvalMaxExamples);
        if (settings.Generation.MaxNewTokens != 32) Add("max-new-tokens", settings.Generation.MaxNewTokens);

        Add("method", settings.MethodName);
        if (settings.Adapter is { } config)
        {
            var method = PeftMethods.Of(config);
            // --r is the budget; LoRA's own r is the budget it was built at, and every other option is compared with that budget's value.
            int r = MethodOptions.Of(config.GetType()).Any(o => o.Name == "r") ? Convert.ToInt32(MethodOptions.ValueOf(config, "r"), CultureInfo.InvariantCulture) : DefaultBudget;
            if (r != DefaultBudget) Add("r", r);
            var budget = method.ForBudget(r)!;
            foreach (var option in MethodOptions.Of(config.GetType()).Where(o => o.Name != "r"))
                if (MethodOptionBindings.Format(option.Property.GetValue(config)) is var value && value != MethodOptionBindings.Format(option.Property.GetValue(budget)))
                    Add(MethodOptionBindings.Flag(option.Name), value);
        }

        var t = settings.Trainer;
        if (t.Optimizer != OptimizerKind.AdamW) Add("optimizer", "sgd");
        Add("lr", t.LearningRate.ToString("R", CultureInfo.InvariantCulture));
        if (t.WeightDecay != 0) Add("weight-decay", t.WeightDecay.ToString("R", CultureInfo.InvariantCulture));
        Add("lr-scheduler", t.Schedule.ToString().ToLowerInvariant());
        Add("warmup-steps", t.WarmupSteps);
        Add("epochs", t.Epochs);
        if (t.MaxSteps > 0) Add("max-steps", t.MaxSteps);
        Add("batch-size", t.BatchSize);
        if (t.GradientAccumulation != 1) Add("grad-accum", t.GradientAccumulation);
        Add("max-grad-norm", t.MaxGradNorm.ToString("R", CultureInfo.InvariantCulture));
        Add("seed", t.Seed);
        if (t.EvalSteps != 0) Add("eval-steps", t.EvalSteps);
        Add("logging-steps", t.LoggingSteps);
        Add("out", settings.OutputDirectory);
        return string.Join(" ", args);
    }

    /// <summary>The --r default of <c>peft train</c>.</summary>
    private const int DefaultBudget = 8;

    private static string TaskName(TaskSpec task) => task.Kind switch
    {
        TaskKind.CausalLm => "causal-lm",
        TaskKind.Classification => "classification",
        TaskKind.E2E => "e2e",
        var kind => task.SubTask is null ? kind.ToString().ToLowerInvariant() : $"{kind.ToString().ToLowerInvariant()}/{task.SubTask}",
    };

    private static string Quote(string value) => SafeForShell().IsMatch(value) ? value : "'" + value.Replace("'", "'\\''") + "'";

    [GeneratedRegex(@"^[A-Za-z0-9_./:=,+-]+$")]
    private static partial Regex SafeForShell();
}
