using System.CommandLine;
using PeftSharp.Cli.Commands;
using PeftSharp.Cli.Options;
using PeftSharp.Cli.Output;
using PeftSharp.Tuners;
using PeftSharp.Workflows;

namespace PeftSharp.Tests.Cli;

public class AblateCommandLineTests
{
    private static string Write(string json)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("peft-ablate-cli-").FullName, "recipe.json");
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary>The run <see cref="CompareWorkflow"/> trains for one row, seed and learning rate.</summary>
    private static TrainSettings RunSettings(CompareSettings compare, MethodRun run, int seed, double lr, string folder) => compare.Base with
    {
        OutputDirectory = folder,
        Adapter = run.Adapter,
        Trainer = compare.Base.Trainer with { OutputDirectory = folder, Seed = seed, LearningRate = lr },
    };

    [Fact]
    public void Each_written_command_parses_back_into_exactly_the_run_it_describes()
    {
        var path = Write("""
            {"description": "round trip", "steps": [37], "batch_size": 4, "warmup_steps": 3, "seeds": [5],
             "rows": [{"name": "xnor", "method": "dual-lora", "options": {"sign_mode": "xnor", "r1": 2, "r2": 6, "init_std": 0.05}},
                      {"name": "reg", "method": "lora2", "options": {"orth_reg_matrices": "q_factors", "k": 4, "orth_reg_weight": 0.3}},
                      {"name": "lora-r4", "method": "lora", "options": {"r": 4}},
                      {"name": "plus", "method": "lora-plus", "options": {"loraplus_lr_ratio": 4}},
                      {"name": "full", "method": "full"}]}
            """);
        var recipe = AblationRecipe.Read(path);
        var runs = recipe.Runs(path);
        var compare = AblationWorkflow.Settings(recipe, runs, 37, Path.Combine(Path.GetTempPath(), "peft ablate out")); // a space: the command must quote it
        foreach (var run in runs)
        {
            var expected = RunSettings(compare, run, seed: 5, lr: 0.0123, Path.Combine(compare.OutputDirectory, run.Name));
            var line = TrainCommandLine.For(expected);
            Assert.StartsWith("./peft train ", line);

            var train = new TrainCommand();
            var root = new RootCommand();
            root.Subcommands.Add(train.Command);
            var parse = root.Parse(ShellWords(line)[1..]);
            Assert.Empty(parse.Errors.Select(e => e.Message));
            var parsed = train.Settings(parse);
            Assert.Equal(expected with { Adapter = null }, parsed with { Adapter = null });
            Assert.Equal(expected.Adapter is null ? null : AdapterConfigFile.ToJson(expected.Adapter), parsed.Adapter is null ? null : AdapterConfigFile.ToJson(parsed.Adapter));
            Assert.Equal(run.Name == "full" ? "full" : recipe.Rows.Single(r => r.Name == run.Name).Method, parsed.MethodName);
        }
    }

    /// <summary>Splits a command line the way bash does for what <see cref="TrainCommandLine"/> writes (plain words and single quotes).</summary>
    private static string[] ShellWords(string line)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        bool quoted = false, any = false;
        foreach (var c in line)
        {
            if (c == '\'') { quoted = !quoted; any = true; }
            else if (c == ' ' && !quoted) { if (any) words.Add(word.ToString()); word.Clear(); any = false; }
            else { word.Append(c); any = true; }
        }
        if (any) words.Add(word.ToString());
        return [.. words];
    }

    [Fact]
    public void Per_method_learning_rates_and_the_grid_parse_and_name_their_flag_when_wrong()
    {
        var methods = new[] { PeftMethods.Get("full"), PeftMethods.Get("lora"), PeftMethods.Get("dual-lora") };
        var rates = LearningRates.PerMethod("full=5e-4, LoRA=0.005", methods, "--lr-per-method");
        Assert.Equal(new Dictionary<string, double> { ["full"] = 5e-4, ["lora"] = 5e-3 }, rates);
        Assert.Empty(LearningRates.PerMethod(null, methods, "--lr-per-method"));
        Assert.Equal([1e-3, 3e-3, 1e-2], LearningRates.Grid("1e-3,3e-3, 1e-2", "--lr-grid"));
        Assert.Empty(LearningRates.Grid(null, "--lr-grid"));

        Assert.Equal("--lr-per-method: 'dora' is not one of the compared methods (full, lora, dual-lora)",
            Assert.Throws<PeftSharpException>(() => LearningRates.PerMethod("dora=1e-3", methods, "--lr-per-method")).Message);
        Assert.Equal("--lr-per-method: expected method=rate pairs such as full=5e-4,lora=5e-3, got 'lora'",
            Assert.Throws<PeftSharpException>(() => LearningRates.PerMethod("lora", methods, "--lr-per-method")).Message);
        Assert.Equal("--lr-per-method: expected a positive learning rate, got '-1'",
            Assert.Throws<PeftSharpException>(() => LearningRates.PerMethod("lora=-1", methods, "--lr-per-method")).Message);
        Assert.Equal("--lr-per-method: 'lora' is given twice",
            Assert.Throws<PeftSharpException>(() => LearningRates.PerMethod("lora=1e-3,lora=2e-3", methods, "--lr-per-method")).Message);
        Assert.Equal("--lr-grid: expected a positive learning rate, got 'fast'",
            Assert.Throws<PeftSharpException>(() => LearningRates.Grid("1e-3,fast", "--lr-grid")).Message);
    }
}
