using System.CommandLine;
using PeftSharp.Cli.Commands;
using PeftSharp.Evaluation.Generation;
using PeftSharp.Workflows;

namespace PeftSharp.Tests.Cli;

/// <summary>Decoding flags are set only when given, so that the model's generation_config.json decides the rest; recipes keep theirs.</summary>
public class GenerationFlagsTests
{
    private static TrainSettings Train(params string[] extra)
    {
        var train = new TrainCommand();
        var root = new RootCommand();
        root.Subcommands.Add(train.Command);
        string[] args = ["train", "--model", "model", "--data", "data", "--out", "out", .. extra];
        var parse = root.Parse(PeftSharp.Cli.Recipes.Expand(args, train.Command));
        Assert.Empty(parse.Errors.Select(e => e.Message));
        return train.Settings(parse);
    }

    [Fact]
    public void Without_flags_nothing_is_forced_not_even_early_stopping_with_beams()
    {
        Assert.Equal(new GenerationOptions(), Train().Generation);
        Assert.Equal(new GenerationOptions { NumBeams = 4 }, Train("--num-beams", "4").Generation);
    }

    [Theory]
    [InlineData("false", EarlyStopping.Heuristic)]
    [InlineData("true", EarlyStopping.WhenBeamsFinished)]
    [InlineData("never", EarlyStopping.Never)]
    public void Early_stopping_takes_transformers_values(string value, EarlyStopping mode) =>
        Assert.Equal(mode, Train("--early-stopping", value).Generation.EarlyStopping);

    [Fact]
    public void Sample_alone_means_true_and_sample_false_overrides_a_sampling_model()
    {
        Assert.True(Train("--sample").Generation.DoSample);
        Assert.False(Train("--sample", "false").Generation.DoSample);
        Assert.Equal(new GenerationOptions { DoSample = true, Temperature = 0.7, TopK = 5, TopP = 0.9 },
            Train("--sample", "--temperature", "0.7", "--top-k", "5", "--top-p", "0.9").Generation);
    }

    [Theory]
    [InlineData("e2e/lora-gpt2-medium.json")]
    [InlineData("e2e/dual-lora-gpt2-large.json")]
    public void The_E2E_recipes_keep_their_explicit_decoding(string recipe)
    {
        var path = Path.Combine(RecipesFolder(), recipe);
        Assert.Equal(new GenerationOptions { NumBeams = 10, LengthPenalty = 0.9, NoRepeatNgramSize = 4, MaxNewTokens = 64, EarlyStopping = EarlyStopping.Never },
            Train("--recipe", path).Generation);
        Assert.Equal(EarlyStopping.Heuristic, Train("--recipe", path, "--early-stopping", "false").Generation.EarlyStopping); // the command line wins
    }

    [Fact]
    public void Layers_to_transform_and_lora_bias_are_method_flags()
    {
        var adapter = (PeftSharp.Tuners.Lora.LoraConfig)Train("--layers-to-transform", "0,2", "--layers-pattern", "h", "--lora-bias").Adapter!;
        Assert.Equal([0, 2], adapter.LayersToTransform!);
        Assert.Equal(["h"], adapter.LayersPattern!);
        Assert.True(adapter.LoraBias);
    }

    private static string RecipesFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "recipes", "README.md"))) return Path.Combine(dir.FullName, "recipes");
        throw new DirectoryNotFoundException("recipes/ not found above " + AppContext.BaseDirectory);
    }
}
