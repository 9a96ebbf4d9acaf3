using PeftSharp.Data;
using PeftSharp.Training;
using PeftSharp.Tuners;
using PeftSharp.Workflows;

namespace PeftSharp.Tests.Workflows;

/// <summary>Token-id data needs no tokenizer: a model folder without tokenizer files trains and evaluates on it.</summary>
public class TokenIdTrainingTests
{
    private static readonly string[] TokenIdRows =
    [
        """{"input_ids": [5, 17, 230, 41, 9, 856]}""",
        """{"input_ids": [12, 3, 77, 400, 856], "labels": [-100, -100, 77, 400, 856]}""",
        """{"input_ids": [600, 601, 602, 603, 604, 605, 606, 856]}""",
        """{"input_ids": [44, 45, 856]}""",
    ];

    /// <summary>The tiny GPT-2 with only config.json and model.safetensors: no tokenizer file at all.</summary>
    private static string WithoutTokenizer(string model)
    {
        var bare = Directory.CreateTempSubdirectory("peft-no-tokenizer-").FullName;
        foreach (var file in new[] { "config.json", "model.safetensors" }) File.Copy(Path.Combine(model, file), Path.Combine(bare, file));
        return bare;
    }

    private static TrainSettings Settings(string model, string data, string output) => new()
    {
        ModelDirectory = model, DataPath = data, EvalDataPath = data, OutputDirectory = output, Task = TaskSpec.CausalLm,
        Adapter = PeftMethods.Get("lora").ForBudget(4),
        Trainer = new TrainerOptions { OutputDirectory = output, LearningRate = 5e-3, Epochs = 3, BatchSize = 2, LoggingSteps = 2, Seed = 1 },
    };

    [Fact]
    public void Training_on_token_ids_needs_no_tokenizer_files_and_gives_the_same_adapter()
    {
        var model = TinyHfModels.Gpt2();
        var bare = WithoutTokenizer(model);
        var data = TinyHfModels.Jsonl(TokenIdRows);
        var withTokenizer = Directory.CreateTempSubdirectory("peft-tokids-").FullName;
        var without = Directory.CreateTempSubdirectory("peft-tokids-bare-").FullName;

        var reference = TrainWorkflow.Run(Settings(model, data, withTokenizer));
        var run = TrainWorkflow.Run(Settings(bare, data, without));

        Assert.Equal(reference.Train.Steps, run.Train.Steps);
        Assert.Equal(reference.EvalMetrics!["loss"], run.EvalMetrics!["loss"]);
        // Padding is masked, so the pad id (the tokenizer's EOS, or 0 without one) changes nothing: identical adapters.
        Assert.Equal(File.ReadAllBytes(Path.Combine(withTokenizer, AdapterFormat.WeightsFileName)), File.ReadAllBytes(Path.Combine(without, AdapterFormat.WeightsFileName)));

        var evaluated = EvalWorkflow.Run(new EvalSettings { ModelDirectory = bare, AdapterDirectory = without, DataPath = data, Task = TaskSpec.CausalLm });
        Assert.Equal(run.EvalMetrics!["loss"], evaluated.Metrics["loss"], 6);
    }

    [Fact]
    public void Text_data_without_tokenizer_files_says_the_tokenizer_is_needed()
    {
        var bare = WithoutTokenizer(TinyHfModels.Gpt2());
        var data = TinyHfModels.Jsonl("""{"text": "a small domestic animal"}""", """{"text": "move fast on foot"}""");
        var output = Directory.CreateTempSubdirectory("peft-tokids-text-").FullName;
        var error = Assert.Throws<PeftSharpException>(() => TrainWorkflow.Run(Settings(bare, data, output)));
        Assert.Contains(bare, error.Message);
        Assert.Contains("no tokenizer files", error.Message);
        Assert.Contains("needed to tokenize text", error.Message);
    }
}
