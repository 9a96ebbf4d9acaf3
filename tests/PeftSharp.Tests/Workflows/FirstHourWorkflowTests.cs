using System.Text.Json.Nodes;
using PeftSharp.Data;
using PeftSharp.Training;
using PeftSharp.Tuners;
using PeftSharp.Workflows;

namespace PeftSharp.Tests.Workflows;

/// <summary>What a new user meets in the first hour: honest counts, messages that name the real cause, labels by name, progress, partial results.</summary>
public class FirstHourWorkflowTests
{
    private static string Out() => Directory.CreateTempSubdirectory("peft-first-hour-").FullName;

    private static string[] Rows(int count, Func<int, object> label) =>
        Enumerable.Range(0, count).Select(i => $$"""{"sentence": "{{(i % 2 == 0 ? "hello world" : "the quick brown fox")}} {{i}}", "label": {{label(i)}}}""").ToArray();

    private static TrainSettings Classification(string model, string data, string output, string? eval = null, string? test = null) => new()
    {
        ModelDirectory = model, DataPath = data, EvalDataPath = eval, TestDataPath = test, OutputDirectory = output, Task = TaskSpec.Classification,
        Adapter = PeftMethods.Get("lora").ForBudget(2),
        Trainer = new TrainerOptions { OutputDirectory = output, LearningRate = 2e-2, MaxSteps = 3, BatchSize = 2, Seed = 2 },
    };

    private sealed class Recorder : ITrainingObserver
    {
        public List<(string Split, long Done, long Total)> Evaluations { get; } = [];
        public List<string> Messages { get; } = [];
        public void OnEvaluationProgress(string split, long done, long total) => Evaluations.Add((split, done, total));
        public void OnMessage(string message) => Messages.Add(message);
    }

    [Fact]
    public void Eval_max_examples_cuts_the_dev_set_only_and_every_metric_says_how_many_examples_it_is_over()
    {
        var model = TinyHfModels.Gpt2();
        var output = Out();
        var recorder = new Recorder();
        var run = TrainWorkflow.Run(Classification(model, TinyHfModels.Jsonl(Rows(6, i => i % 2)), output, TinyHfModels.Jsonl(Rows(6, i => i % 2)), TinyHfModels.Jsonl(Rows(8, i => i % 2)))
            with
        { EvalMaxExamples = 2 }, recorder);
        Assert.Equal((2, 8), (run.EvalExamples, run.TestExamples));
        var final = JsonNode.Parse(File.ReadAllText(Path.Combine(output, TrainWorkflow.FinalMetricsFile)))!;
        Assert.Equal((2, 8), (final["eval_examples"]!.GetValue<int>(), final["test_examples"]!.GetValue<int>()));

        // Both evaluations report their progress from 0 to all of their examples.
        foreach (var (split, total) in new[] { ("dev", 2L), ("test", 8L) })
        {
            var reports = recorder.Evaluations.Where(e => e.Split == split).ToList();
            Assert.Equal((0L, total), (reports[0].Done, reports[0].Total));
            Assert.Equal((total, total), (reports[^1].Done, reports[^1].Total));
        }
        var capped = TrainWorkflow.Run(Classification(model, TinyHfModels.Jsonl(Rows(6, i => i % 2)), Out(), test: TinyHfModels.Jsonl(Rows(8, i => i % 2))) with { TestMaxExamples = 3 });
        Assert.Equal(3, capped.TestExamples);
    }

    [Fact]
    public void A_trained_or_loaded_head_is_not_reported_as_newly_initialised_an_untrained_one_is()
    {
        var model = TinyHfModels.Gpt2(); // a language model: its classifier's score head is not in the checkpoint
        var data = TinyHfModels.Jsonl(Rows(4, i => i % 2));
        var output = Out();
        var warnings = new List<string>();
        TrainWorkflow.Run(Classification(model, data, output), warn: warnings.Add);
        Assert.DoesNotContain(warnings, w => w.Contains("score.weight"));
        EvalWorkflow.Run(new EvalSettings { ModelDirectory = model, AdapterDirectory = output, DataPath = data, Task = TaskSpec.Classification }, warnings.Add);
        Assert.DoesNotContain(warnings, w => w.Contains("score.weight"));

        EvalWorkflow.Run(new EvalSettings { ModelDirectory = model, DataPath = data, Task = TaskSpec.Classification }, warnings.Add);
        Assert.Contains(warnings, w => w.Contains("score.weight") && w.Contains("random and untrained"));
        warnings.Clear();
        TrainWorkflow.Run(Classification(model, data, Out()) with { Adapter = PeftMethods.Get("lora").ForBudget(2)! with { ModulesToSave = [] } }, warn: warnings.Add);
        Assert.Contains(warnings, w => w.Contains("score.weight") && w.Contains("not trained"));
    }

    [Fact]
    public void Eval_with_more_classes_in_the_data_than_the_adapter_head_names_the_line_and_the_head()
    {
        var model = TinyHfModels.Gpt2();
        var output = Out();
        TrainWorkflow.Run(Classification(model, TinyHfModels.Jsonl(Rows(4, i => i % 2)), output));
        var data = TinyHfModels.Jsonl(Rows(3, i => i)); // labels 0, 1, 2
        var e = Assert.ThrowsAny<PeftSharpException>(() => EvalWorkflow.Run(new EvalSettings { ModelDirectory = model, AdapterDirectory = output, DataPath = data, Task = TaskSpec.Classification }));
        Assert.Equal($"{data}:3: field 'label': expected a class index in [0, 2) (the classes of the adapter's head), got number 2", e.Message);
    }

    [Fact]
    public void String_labels_train_and_the_adapter_keeps_their_names_as_id2label()
    {
        var model = TinyHfModels.Gpt2();
        var output = Out();
        var recorder = new Recorder();
        var data = TinyHfModels.Jsonl(Rows(6, i => i % 2 == 0 ? "\"pos\"" : "\"neg\""));
        var run = TrainWorkflow.Run(Classification(model, data, output) with { EvalSplit = 0.34 }, recorder);
        Assert.Equal(2, run.EvalExamples);
        Assert.Contains(recorder.Messages, m => m.StartsWith("2 classes named in the data: 'neg', 'pos'"));
        Assert.Contains(recorder.Messages, m => m.StartsWith("dev: 2 examples (34%) held out of data.jsonl"));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "config.json")))!;
        Assert.Equal("neg", config["id2label"]!["0"]!.GetValue<string>());
        Assert.Equal(1, config["label2id"]!["pos"]!.GetValue<int>());
        var final = JsonNode.Parse(File.ReadAllText(Path.Combine(output, TrainWorkflow.FinalMetricsFile)))!;
        Assert.Equal(0.34, final["eval_split"]!.GetValue<double>());

        // Evaluation maps the names through the adapter's id2label, and rejects a class it does not know at its line.
        var dev = TinyHfModels.Jsonl(Rows(4, i => i % 2 == 0 ? "\"pos\"" : "\"neg\""));
        Assert.Equal(4, EvalWorkflow.Run(new EvalSettings { ModelDirectory = model, AdapterDirectory = output, DataPath = dev, Task = TaskSpec.Classification }).Examples);
        var bad = TinyHfModels.Jsonl(Rows(2, i => i == 0 ? "\"pos\"" : "\"maybe\""));
        var e = Assert.ThrowsAny<PeftSharpException>(() => EvalWorkflow.Run(new EvalSettings { ModelDirectory = model, AdapterDirectory = output, DataPath = bad, Task = TaskSpec.Classification }));
        Assert.StartsWith($"{bad}:2: field 'label': expected one of the 2 class names ('neg', 'pos')", e.Message);
    }

    [Fact]
    public void A_fully_fine_tuned_classifier_keeps_its_class_names_and_evaluation_follows_them()
    {
        var output = Out();
        var data = TinyHfModels.Jsonl(Rows(4, i => i % 2 == 0 ? "\"pos\"" : "\"neg\""));
        TrainWorkflow.Run(Classification(TinyHfModels.Gpt2(), data, output) with { Adapter = null });
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "config.json")))!;
        Assert.Equal("pos", config["id2label"]!["1"]!.GetValue<string>());
        Assert.Equal(4, EvalWorkflow.Run(new EvalSettings { ModelDirectory = output, DataPath = data, Task = TaskSpec.Classification }).Examples);
        var bad = TinyHfModels.Jsonl(Rows(1, _ => "\"maybe\""));
        var e = Assert.ThrowsAny<PeftSharpException>(() => EvalWorkflow.Run(new EvalSettings { ModelDirectory = output, DataPath = bad, Task = TaskSpec.Classification }));
        Assert.Equal($"{bad}:1: field 'label': expected one of the 2 class names ('neg', 'pos') (the classes of id2label in {Path.Combine(output, "config.json")}), got string \"maybe\"", e.Message);
    }

    [Fact]
    public void Elapsed_seconds_continue_after_a_resume()
    {
        var model = TinyHfModels.Gpt2();
        var data = TinyHfModels.Jsonl(Enumerable.Range(0, 8).Select(i => $$"""{"prompt": "item {{i}}:", "completion": " value {{i}}"}""").ToArray());
        var output = Out();
        var settings = new TrainSettings
        {
            ModelDirectory = model, DataPath = data, OutputDirectory = output, Task = TaskSpec.CausalLm, Adapter = PeftMethods.Get("lora").ForBudget(2),
            Trainer = new TrainerOptions { OutputDirectory = output, LearningRate = 1e-2, MaxSteps = 4, BatchSize = 2, LoggingSteps = 1, SaveSteps = 2 },
        };
        using (var cancel = new CancellationTokenSource())
            Assert.True(TrainWorkflow.Run(settings, new Training.CancelAfter(2, cancel), cancel: cancel.Token).Train.Interrupted);
        var statePath = Path.Combine(output, "checkpoint-2", TrainingCheckpoint.ProgressFile);
        var state = JsonNode.Parse(File.ReadAllText(statePath))!;
        Assert.True(state["progress"]!["ElapsedSeconds"]!.GetValue<double>() > 0);
        // The run before the interruption "took" 1,000 s: the resumed entries must count on from there, however fast the
        // machine (a clock restarted at 0 would log far less; comparing with the real, tiny value would depend on timing).
        state["progress"]!["ElapsedSeconds"] = 1000.0;
        File.WriteAllText(statePath, state.ToJsonString());
        TrainWorkflow.Run(settings with { Trainer = settings.Trainer with { ResumeFrom = output } });
        var entries = File.ReadAllLines(Path.Combine(output, MetricsLog.FileName)).Select(l => JsonNode.Parse(l)!).Where(e => e["elapsed_seconds"] is not null).ToList();
        Assert.Equal([1L, 2L, 3L, 4L], entries.Select(e => e["step"]!.GetValue<long>()));
        var elapsed = entries.Select(e => e["elapsed_seconds"]!.GetValue<double>()).ToList();
        Assert.True(elapsed[1] < 1000 && elapsed[2] >= 1000 && elapsed[3] >= elapsed[2], string.Join(", ", elapsed));
    }

    [Fact]
    public void A_comparison_checks_every_run_first_and_keeps_the_finished_runs_table_when_a_later_run_fails()
    {
        var model = TinyHfModels.Gpt2();
        var data = TinyHfModels.Jsonl(Enumerable.Range(0, 4).Select(i => $$"""{"prompt": "item {{i}}:", "completion": " value {{i}}"}""").ToArray());
        var output = Out();
        CompareSettings Settings(MethodRun second) => new()
        {
            Base = new TrainSettings
            {
                ModelDirectory = model, DataPath = data, OutputDirectory = output, Task = TaskSpec.CausalLm,
                Trainer = new TrainerOptions { OutputDirectory = output, LearningRate = 1e-2, MaxSteps = 2, BatchSize = 2, LoggingSteps = 1 },
            },
            Runs = [MethodRun.ForBudget(PeftMethods.Get("lora"), 2), second], OutputDirectory = output,
        };
        // An invalid option of the second method fails before the first trains.
        var invalid = new MethodRun("dora", PeftMethods.Get("dora").ForBudget(2)! with { LoraDropout = 2 });
        Assert.Equal("lora_dropout", Assert.Throws<InvalidOptionException>(() => CompareWorkflow.Run(Settings(invalid), _ => null)).Option);
        Assert.False(Directory.Exists(Path.Combine(output, "lora")));

        // A run that fails only once it starts (its target modules match nothing) leaves the table of the runs before it.
        var failing = new MethodRun("dora", PeftMethods.Get("dora").ForBudget(2)! with { TargetModules = TargetModules.FromNames("no_such_module") });
        var warnings = new List<string>();
        Assert.ThrowsAny<PeftSharpException>(() => CompareWorkflow.Run(Settings(failing), _ => null, warnings.Add));
        var table = File.ReadAllText(Path.Combine(output, "comparison.md"));
        Assert.Contains("| lora |", table);
        Assert.DoesNotContain("| dora |", table);
        Assert.Contains(warnings, w => w.Contains("the table of the 1 finished run(s)"));
    }
}
