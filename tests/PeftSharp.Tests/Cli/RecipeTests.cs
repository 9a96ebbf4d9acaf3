using System.CommandLine;
using PeftSharp.Cli;
using PeftSharp.Cli.Commands;
using PeftSharp.Tuners;

namespace PeftSharp.Tests.Cli;

/// <summary>Every shipped recipe goes through <c>peft train --recipe</c>'s expansion and parser and yields a valid run configuration.</summary>
public class RecipeTests
{
    private static string Folder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "recipes", "README.md"))) return Path.Combine(dir.FullName, "recipes");
        throw new DirectoryNotFoundException("recipes/ not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The option recipes of <c>peft train</c>/<c>compare</c>; recipes/ablations holds <c>peft ablate</c>'s own format (AblationRecipeTests).</summary>
    public static TheoryData<string> Recipes => new(Directory.GetFiles(Folder(), "*.json", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(Folder(), f)).Where(f => !f.StartsWith("ablations", StringComparison.Ordinal)).Order(StringComparer.Ordinal));

    /// <summary>
    /// Training-set sizes of the official datasets the recipes are for (GLUE train splits, commonsense_170k, E2E), so
    /// that AdaLoRA's and LoRA²'s schedules are checked against the steps a real run has.
    /// </summary>
    private static readonly Dictionary<string, int> TrainExamples = new()
    {
        ["glue/cola"] = 8_551, ["glue/sst2"] = 67_349, ["glue/mrpc"] = 3_668, ["glue/qqp"] = 363_846, ["glue/stsb"] = 5_749,
        ["glue/mnli"] = 392_702, ["glue/qnli"] = 104_743, ["glue/rte"] = 2_490, ["glue/wnli"] = 635,
        ["commonsense"] = 170_420, ["e2e"] = 42_061,
    };

    [Theory]
    [MemberData(nameof(Recipes))]
    public void A_recipe_parses_without_errors_and_gives_a_valid_method_and_trainer(string recipe)
    {
        var train = new TrainCommand();
        var root = new RootCommand();
        root.Subcommands.Add(train.Command);
        string[] args = ["train", "--model", "model", "--data", "data", "--out", "out", "--recipe", Path.Combine(Folder(), recipe)];
        var parse = root.Parse(PeftSharp.Cli.Recipes.Expand(args, train.Command));
        Assert.Empty(parse.Errors.Select(e => e.Message));

        var settings = train.Settings(parse);
        settings.Validate();
        var task = settings.Task is { SubTask: { } sub } spec ? $"{spec.Kind.ToString().ToLowerInvariant()}/{sub}" : settings.Task?.Kind.ToString().ToLowerInvariant() ?? "";
        long steps = settings.Trainer.TotalSteps(TrainExamples.GetValueOrDefault(task, TrainExamples.GetValueOrDefault(task.Split('/')[0], 10_000)));
        int warmup = settings.Trainer.EffectiveWarmupSteps(steps);
        settings.Adapter?.ForRun(steps, warmup).Validate(); // the run-dependent defaults (AdaLoRA / LoRA² schedules) fit a real run
        Assert.Equal(train.Method(parse).ConfigType is null, settings.Adapter is null);
    }

    [Theory]
    [MemberData(nameof(Recipes))]
    public void A_recipe_has_its_documentation_and_a_Dual_LoRA_recipe_says_its_values_are_derived(string recipe)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Folder(), recipe)))!.AsObject();
        foreach (var key in new[] { "description", "source", "notes", "task", "method" })
            Assert.False(string.IsNullOrWhiteSpace(json[key]?.GetValue<string>()), $"{recipe}: '{key}' is missing or empty");
        if (json["method"]!.GetValue<string>() == "dual-lora")
            Assert.Contains("derived", json["notes"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
    }
}
