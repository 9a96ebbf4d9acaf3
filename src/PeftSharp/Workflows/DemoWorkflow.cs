using PeftSharp.Data;
using PeftSharp.Evaluation.Generation;
using PeftSharp.Training;
using PeftSharp.Tuners;
using PeftSharp.Tuners.Full;

namespace PeftSharp.Workflows;

/// <summary>
/// <c>peft demo</c>: the shipped WordNet GPT-2 (assets/models/wordnet-gpt2) fine-tuned on a WordNet task with every
/// method at an equal parameter budget (r = 8: LoRA r 8, Dual LoRA r1 = r2 = 4, LoRA² K = 8, AdaLoRA init_r 8),
/// over one or more seeds; the table, plots and adapters go to the output folder. Settings were chosen on wn-lexname's
/// dev set with 125 steps (learning rate 5e-3 for the adapters: LoRA 51.5 % vs 45.8 % at 1e-2; 5e-4 for full
/// fine-tuning, as usual lower), one shared setting per method family, no per-method tuning beyond that.
/// </summary>
public static class DemoWorkflow
{
    public static readonly string[] Tasks = ["wn-lexname", "wn-pos", "wn-define"];
    public const double AdapterLearningRate = 5e-3, FullLearningRate = 5e-4;

    /// <summary>
    /// The shipped assets folder (model and WordNet tasks): beside the running program, where the installed peft tool
    /// carries it, or in the PeftSharp checkout the program was built in or is run from, found by walking up from the
    /// program's folder, then from the current directory.
    /// </summary>
    public static string Assets()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (Directory.Exists(Path.Combine(dir.FullName, "assets", "models", "wordnet-gpt2"))) return Path.Combine(dir.FullName, "assets");
        throw new PeftSharpException("cannot find assets/models/wordnet-gpt2 beside the program or in a PeftSharp checkout: install the tool (dotnet tool install -g peft) or run ./peft demo in a checkout");
    }

    /// <summary>The demo's comparison: defaults sized to finish in minutes on 2 CPU cores (<paramref name="quick"/>: a smaller slice).</summary>
    public static CompareSettings Settings(string task, bool quick, int seeds, IReadOnlyList<PeftMethod>? methods, string output, int r = 8) => new()
    {
        Base = BaseSettings(task, quick, output),
        Runs = (methods ?? PeftMethods.ComparedByDefault)
            .Select(m => MethodRun.ForBudget(m, r, m is FullFineTuningMethod ? FullLearningRate : null)).ToList(),
        Seeds = Enumerable.Range(42, Math.Max(1, seeds)).ToList(),
        OutputDirectory = output,
    };

    /// <summary>
    /// One run on a shipped WordNet task with the demo's settings (model, data, lengths, schedule, steps), before a
    /// method is chosen: the base of the demo and of <c>peft ablate</c>.
    /// </summary>
    public static TrainSettings BaseSettings(string task, bool quick, string output)
    {
        if (!Tasks.Contains(task)) throw new PeftSharpException($"--task must be one of {string.Join(", ", Tasks)}, got '{task}'");
        var assets = Assets();
        var data = Path.Combine(assets, "wordnet", "tasks", task);
        bool generation = task == "wn-define";
        int trainExamples = quick ? 1500 : 4000;
        return new TrainSettings
        {
            ModelDirectory = Path.Combine(assets, "models", "wordnet-gpt2"),
            DataPath = Path.Combine(data, "train.jsonl"),
            EvalDataPath = Path.Combine(data, "dev.jsonl"),
            OutputDirectory = output,
            TestDataPath = Path.Combine(data, "test.jsonl"),
            Task = generation ? TaskSpec.CausalLm : TaskSpec.Classification,
            MaxLength = 80, // the longest gloss is 68 tokens
            EvalBatchSize = 64,
            EvalMaxExamples = quick ? 300 : generation ? 400 : null,
            TestMaxExamples = quick ? 300 : generation ? 400 : null,
            Generation = new GenerationOptions { MaxNewTokens = 24 },
            Trainer = new TrainerOptions
            {
                OutputDirectory = output,
                LearningRate = AdapterLearningRate, Schedule = ScheduleKind.Linear, WarmupSteps = 10, Epochs = 1,
                MaxSteps = trainExamples / 32, BatchSize = 32, MaxGradNorm = 1.0, LoggingSteps = 5, Seed = 42,
            },
        };
    }
}
