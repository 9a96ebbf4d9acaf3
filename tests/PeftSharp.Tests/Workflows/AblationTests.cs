using System.Text.Json.Nodes;
using PeftSharp.Workflows;

namespace PeftSharp.Tests.Workflows;

public class AblationTests
{
    private static string RecipesFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "recipes", "ablations"))) return Path.Combine(dir.FullName, "recipes", "ablations");
        throw new DirectoryNotFoundException("recipes/ablations not found above " + AppContext.BaseDirectory);
    }

    public static TheoryData<string> ShippedRecipes => new(Directory.GetFiles(RecipesFolder(), "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(ShippedRecipes))]
    public void Every_shipped_ablation_recipe_reads_and_configures_every_row(string name)
    {
        var path = Path.Combine(RecipesFolder(), name);
        var recipe = AblationRecipe.Read(path);
        Assert.False(string.IsNullOrWhiteSpace(recipe.Source), "source");
        Assert.False(string.IsNullOrWhiteSpace(recipe.Notes), "notes");
        var runs = recipe.Runs(path);
        Assert.Equal(recipe.Rows.Select(r => r.Name), runs.Select(r => r.Name));
        Assert.All(runs.Zip(recipe.Rows), p => Assert.Equal(p.Second.Method, PeftSharp.Tuners.PeftMethods.NameOf(p.First.Adapter)));
    }

    private static string Write(string json)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("peft-ablation-recipe-").FullName, "recipe.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Theory]
    [InlineData("""{"description": "x", "rows": [{"name": "a", "method": "dual-lora", "options": {"sign_mod": "xnor"}}]}""", "rows[0].options: 'sign_mod' is not an option of dual-lora")]
    [InlineData("""{"description": "x", "rows": [{"name": "a", "method": "dual-lora", "options": {"sign_mode": "sine"}}]}""", "rows[0].options.sign_mode: expected one of ste, xnor, dorefa, none, fixed_random, got \"sine\"")]
    [InlineData("""{"description": "x", "rows": [{"name": "a", "method": "dual-lora", "options": {"r1": "four"}}]}""", "rows[0].options.r1: expected an integer, got \"four\"")]
    [InlineData("""{"description": "x", "rows": [{"name": "a", "method": "dual-lora", "options": {"sign_mode": "xnor", "ste_clip": "weight_update"}}]}""", "rows[0]: 'ste_clip' must be sign_input")]
    [InlineData("""{"description": "x", "rows": [{"name": "a", "method": "dual-lora", "options": {"r1": 0}}]}""", "rows[0]: 'r1' must be ≥ 1, got 0")]
    [InlineData("""{"description": "x", "rows": [{"name": "a", "method": "duallora"}]}""", "rows[0].method \"duallora\": unknown method")]
    [InlineData("""{"description": "x", "rows": [{"name": "a", "method": "full", "options": {"r": 4}}]}""", "rows[0].options: full has no options")]
    [InlineData("""{"description": "x", "rows": [{"name": "a", "method": "lora"}, {"name": "a", "method": "dora"}]}""", "field 'rows[1].name': expected a name no other row has")]
    [InlineData("""{"description": "x", "rows": [{"name": "a b", "method": "lora"}]}""", "field 'rows[0].name': expected letters, digits")]
    [InlineData("""{"description": "x", "task": "wn-verbs", "rows": [{"name": "a", "method": "lora"}]}""", "field 'task': expected one of wn-lexname, wn-pos, wn-define")]
    [InlineData("""{"description": "x", "lr_grid": [0.01, 0], "rows": [{"name": "a", "method": "lora"}]}""", "field 'lr_grid': expected positive learning rates")]
    [InlineData("""{"description": "x", "seeds": [], "rows": [{"name": "a", "method": "lora"}]}""", "field 'seeds': expected a non-empty list")]
    [InlineData("""{"description": "x", "rows": []}""", "field 'rows': expected at least one row")]
    [InlineData("""{"description": "x", "rowz": [], "rows": [{"name": "a", "method": "lora"}]}""", "unknown field 'rowz'")]
    [InlineData("""{"rows": [{"name": "a", "method": "lora"}]}""", "missing field 'description'")]
    [InlineData("""{"description": "x", "steps": 250, "rows": [{"name": "a", "method": "lora"}]}""", "field 'steps': expected a list of integers, got 250")]
    public void A_bad_recipe_is_one_line_naming_the_file_and_the_field(string json, string expected)
    {
        var path = Write(json);
        var error = Assert.ThrowsAny<PeftSharpException>(() => AblationRecipe.Read(path));
        Assert.StartsWith(path + ": ", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void An_ablation_selects_a_learning_rate_per_row_and_writes_tables_plots_and_commands()
    {
        // The shipped model and task, cut to a few steps and examples: two rows, a two-rate grid, two step counts.
        var path = Write("""
            {"description": "tiny", "source": "a test", "notes": "none", "steps": [1, 2], "batch_size": 4, "warmup_steps": 0,
             "seeds": [7, 8], "lr_grid": [0.0001, 0.01], "eval_max_examples": 12, "per_layer_ranks": true,
             "rows": [{"name": "dual-xnor", "method": "dual-lora", "options": {"sign_mode": "xnor"}, "paper": "n/a"},
                      {"name": "lora-fixed", "method": "lora", "lr": 0.005}]}
            """);
        var recipe = AblationRecipe.Read(path);
        var output = Directory.CreateTempSubdirectory("peft-ablation-").FullName;
        var result = AblationWorkflow.Run(recipe, path, output, _ => null, commandLine: s => $"train {s.OutputDirectory}", reproduce: "ablate " + path);

        Assert.Equal([1, 2], result.Tables.Select(t => t.Steps));
        foreach (var table in result.Tables)
        {
            var (dual, lora) = (table.Rows[0], table.Rows[1]);
            Assert.Equal(2, dual.LearningRateSearch.Count);
            var best = dual.LearningRateSearch.MaxBy(t => t.DevMetric)!;
            Assert.Equal(best.LearningRate, dual.LearningRate);
            Assert.Same(best.Run, dual.Runs[0]); // the selecting seed's run is reused, not trained again
            Assert.Equal(2, dual.Runs.Count);
            Assert.Empty(lora.LearningRateSearch); // a row with its own rate is not searched
            Assert.Equal(0.005, lora.LearningRate);
            Assert.All(dual.Runs.Concat(lora.Runs), r => Assert.Equal(table.Steps, r.Train.Steps));
            Assert.True(Directory.Exists(Path.Combine(output, $"steps-{table.Steps}", "dual-xnor", "lr-search", "lr-1e-4")));
            Assert.True(File.Exists(Path.Combine(output, $"steps-{table.Steps}", "comparison.md")));
        }
        foreach (var file in new[] { "ablation.md", "ablation.json", "commands.sh", "steps.png" })
            Assert.True(File.Exists(Path.Combine(output, file)), file);

        var markdown = File.ReadAllText(Path.Combine(output, "ablation.md"));
        Assert.Contains("# tiny", markdown);
        Assert.Contains("    ablate " + path, markdown);
        Assert.Contains("| dual-xnor | dual-lora | sign_mode=xnor |", markdown);
        Assert.Contains("Effective rank of ΔW per adapted layer", markdown);
        Assert.Contains("Pairs of rows in the order they have at 2 steps", markdown);
        Assert.Contains("learning rate chosen on dev with the first seed", markdown);
        // Every run once, the searched ones included: per step count 2 grid runs + 1 more seed for dual-xnor, 2 seeds for lora-fixed.
        var commands = File.ReadAllLines(Path.Combine(output, "commands.sh")).Where(l => l.StartsWith("train ")).ToList();
        Assert.Equal(2 * (2 + 1 + 2), commands.Count);
        Assert.Equal(commands.Count, commands.Distinct().Count());

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "ablation.json")))!;
        var row = json["tables"]![1]!["rows"]![0]!;
        Assert.Equal("xnor", row["options"]!["sign_mode"]!.GetValue<string>());
        Assert.Equal(2, row["learning_rate_search"]!.AsArray().Count);
        Assert.Equal(2, row["dev_per_seed"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("[1, 2]")] // the comparisons write into steps-N/ subfolders; the report still goes into the folder itself
    public void An_ablation_refuses_a_folder_that_holds_an_earlier_result_before_training(string steps)
    {
        var path = Write($$"""
            {"description": "tiny", "steps": {{steps}}, "seeds": [7], "rows": [{"name": "lora", "method": "lora"}]}
            """);
        var output = Directory.CreateTempSubdirectory("peft-ablation-").FullName;
        File.WriteAllText(Path.Combine(output, "ablation.md"), "an earlier result");
        var error = Assert.Throws<InvalidOptionException>(() => AblationWorkflow.Run(AblationRecipe.Read(path), path, output, _ => null));
        Assert.Equal("OutputDirectory", error.Option);
        Assert.Equal("an earlier result", File.ReadAllText(Path.Combine(output, "ablation.md")));
        Assert.Equal(["ablation.md"], Directory.GetFileSystemEntries(output).Select(Path.GetFileName).Where(n => !n!.StartsWith(".peft-lock", StringComparison.Ordinal)));
    }
}
