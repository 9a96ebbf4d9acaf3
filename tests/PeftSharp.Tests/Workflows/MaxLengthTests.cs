using PeftSharp.Data;
using PeftSharp.Training;
using PeftSharp.Tuners;
using PeftSharp.Workflows;

namespace PeftSharp.Tests.Workflows;

/// <summary>
/// Every data file of a run is cut to min(--max-length ?? default, the model's context): an example longer than the
/// tiny models' 64 positions is truncated with a warning, in training, evaluation and test data and in <c>peft eval</c>,
/// instead of failing in the middle of a run.
/// </summary>
public class MaxLengthTests
{
    private static string LongText => string.Join(' ', Enumerable.Repeat("hello world", 60)); // well over 64 tokens

    [Theory]
    [InlineData(null)]
    [InlineData(1000)]
    public void Causal_LM_examples_longer_than_the_context_are_truncated_with_a_warning_everywhere(int? maxLength)
    {
        var model = TinyHfModels.Gpt2();
        var data = TinyHfModels.Jsonl("""{"prompt": "short:", "completion": " one"}""", $$"""{"prompt": "long:", "completion": " {{LongText}}"}""");
        var output = Directory.CreateTempSubdirectory("peft-maxlen-").FullName;
        var warnings = new List<string>();
        var run = TrainWorkflow.Run(new TrainSettings
        {
            ModelDirectory = model, DataPath = data, EvalDataPath = data, OutputDirectory = output, Task = TaskSpec.CausalLm, MaxLength = maxLength,
            Adapter = PeftMethods.Get("lora").ForBudget(2),
            Trainer = new TrainerOptions { OutputDirectory = output, MaxSteps = 1, BatchSize = 2 },
            TestDataPath = data,
        }, warn: warnings.Add);
        Assert.NotNull(run.TestMetrics);
        // training, evaluation and test data: each truncated to the context, each with its warning
        Assert.Equal(3, warnings.Count(w => w.Contains("were longer than 64 tokens and were truncated")));

        warnings.Clear();
        var metrics = EvalWorkflow.Run(new EvalSettings { ModelDirectory = model, AdapterDirectory = output, DataPath = data, Task = TaskSpec.CausalLm, MaxLength = maxLength }, warnings.Add).Metrics;
        Assert.True(double.IsFinite(metrics["loss"]));
        Assert.Single(warnings, w => w.Contains("were longer than 64 tokens and were truncated"));
    }

    [Fact]
    public void Classification_examples_longer_than_the_context_are_truncated_with_a_warning()
    {
        var model = TinyHfModels.Bert();
        var data = TinyHfModels.Jsonl("""{"sentence": "hello world", "label": 0}""", $$"""{"sentence": "{{LongText}}", "label": 1}""");
        var output = Directory.CreateTempSubdirectory("peft-maxlen-cls-").FullName;
        var warnings = new List<string>();
        var run = TrainWorkflow.Run(new TrainSettings
        {
            ModelDirectory = model, DataPath = data, EvalDataPath = data, OutputDirectory = output, Task = TaskSpec.Classification, // default 512 > 64 positions
            Adapter = PeftMethods.Get("lora").ForBudget(2),
            Trainer = new TrainerOptions { OutputDirectory = output, MaxSteps = 1, BatchSize = 2 },
            TestDataPath = data,
        }, warn: warnings.Add);
        Assert.NotNull(run.TestMetrics);
        Assert.Equal(3, warnings.Count(w => w.Contains("1 of 2 examples were longer than 64 tokens and were truncated (longest: #2")));

        warnings.Clear();
        var metrics = EvalWorkflow.Run(new EvalSettings { ModelDirectory = model, AdapterDirectory = output, DataPath = data, Task = TaskSpec.Classification, MaxLength = 4096 }, warnings.Add).Metrics;
        Assert.InRange(metrics["accuracy"], 0, 1);
        Assert.Single(warnings, w => w.Contains("were longer than 64 tokens and were truncated"));
    }

    [Fact]
    public void Max_length_below_2_is_rejected_naming_the_option()
    {
        var data = TinyHfModels.Jsonl("""{"prompt": "a", "completion": " b"}""");
        var e = Assert.Throws<InvalidOptionException>(() => EvalWorkflow.Run(new EvalSettings { ModelDirectory = TinyHfModels.Gpt2(), DataPath = data, Task = TaskSpec.CausalLm, MaxLength = 1 }).Metrics);
        Assert.Equal(("MaxLength", "≥ 2", (object?)1), (e.Option, e.Expected, e.Value));
    }
}
