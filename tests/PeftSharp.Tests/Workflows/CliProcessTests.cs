using System.Diagnostics;
using PeftSharp.IO;
using PeftSharp.Tuners;

namespace PeftSharp.Tests.Workflows;

/// <summary>The CLI as users run it: a child process, its exit code, its one-line errors, SIGKILL and SIGINT.</summary>
public class CliProcessTests
{
    private static PeftProcess Start(params string[] args) => PeftProcess.Start(args);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var child = Start(args);
        int code = child.WaitForExit();
        return (code, child.Output, child.Error);
    }

    private static string[] TrainArgs(string model, string data, string output, int epochs, params string[] extra) =>
        ["train", "--model", model, "--data", data, "--out", output, "--task", "causal-lm", "--method", "lora", "--r", "4",
         "--target-modules", "all-linear", "--lora-dropout", "0.2", "--lr", "0.01", "--epochs", epochs.ToString(), "--batch-size", "2",
         "--seed", "7", "--logging-steps", "1", .. extra];

    private static string Data() => TinyHfModels.Jsonl(Enumerable.Range(0, 8).Select(i => $$"""{"prompt": "item {{i}}:", "completion": " value {{i * 7}} and more"}""").ToArray());

    [Fact]
    public void Bad_input_is_one_line_on_stderr_and_a_nonzero_exit_code()
    {
        var (code, _, err) = Run("train", "--model", "/no/such/model", "--data", "x.jsonl", "--out", "y");
        Assert.Equal(1, code);
        Assert.Equal("error: --model /no/such/model: model folder not found", err.Trim()); // the library names its option, the CLI its flag
        var bad = TinyHfModels.Jsonl("""{"prompt": "a", "completion": 5}""");
        (code, _, err) = Run("train", "--model", TinyHfModels.Gpt2(), "--data", bad, "--out", Directory.CreateTempSubdirectory("peft-cli-bad-").FullName, "--task", "causal-lm");
        Assert.Equal(1, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains($"{bad}:1", err);
        Assert.Contains("completion", err);
    }

    [Theory]
    [InlineData("--r", "--r", "abc")] // a value of the wrong type
    [InlineData("--method", "--method", "bogus")] // a value outside the choices
    [InlineData("--out", "--seed", "1")] // a required option missing
    public void A_parse_error_is_one_line_naming_the_option_not_the_help_text(string named, string option, string value)
    {
        string[] args = ["train", "--model", "m", "--data", "d.jsonl", "--out", "o", option, value];
        if (named == "--out") args = [.. args.Where((_, i) => i is not (5 or 6))];
        var (code, output, err) = Run(args);
        Assert.Equal(1, code);
        var line = Assert.Single(err.Trim().Split('\n'));
        Assert.StartsWith("error: ", line);
        Assert.Contains(named, line);
        Assert.DoesNotContain("Usage", output + err);
    }

    [Fact]
    public void Compare_applies_a_recipe_like_train()
    {
        var output = Directory.CreateTempSubdirectory("peft-cli-compare-").FullName;
        var recipe = Path.Combine(Directory.CreateTempSubdirectory("peft-cli-recipe-").FullName, "recipe.json"); // not in --out, which must be empty
        File.WriteAllText(recipe, """{"description": "test", "task": "causal-lm", "methods": "lora", "max-steps": 2, "batch-size": 2, "lr": 0.01}""");
        var (code, _, err) = Run("compare", "--recipe", recipe, "--model", TinyHfModels.Gpt2(), "--data", Data(), "--out", output, "--r", "2");
        Assert.True(code == 0, err);
        var comparison = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(output, "comparison.json")))!.AsArray();
        Assert.Equal("lora", Assert.Single(comparison)!["method"]!.GetValue<string>()); // the recipe's methods, not the default six
        var metrics = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(output, "lora", PeftSharp.Workflows.TrainWorkflow.FinalMetricsFile)))!;
        Assert.Equal(2, metrics["steps"]!.GetValue<long>()); // the recipe's max-steps (one epoch of 8 examples in batches of 2 would be 4)

        // A bad value in the recipe is the same one-line error as on the command line.
        File.WriteAllText(recipe, """{"lr": -1}""");
        (code, _, err) = Run("compare", "--recipe", recipe, "--model", TinyHfModels.Gpt2(), "--data", Data(), "--out", output, "--methods", "lora");
        Assert.Equal(1, code);
        Assert.Equal("error: --lr must be a positive number, got -1", err.Trim());
    }

    [Fact]
    public void Inspect_json_of_a_pruned_LoRA2_adapter_parses_with_its_masks()
    {
        var (adapter, mask, parameters) = InspectWorkflowTests.PrunedLora2Adapter();
        var (code, output, err) = Run("inspect", "--adapter", adapter, "--json");
        Assert.True(code == 0, err);
        var report = System.Text.Json.Nodes.JsonNode.Parse(output)!;
        Assert.Equal("lora2", report["method"]!.GetValue<string>());
        Assert.Equal(parameters, report["trainable_parameters"]!.GetValue<long>());
        var layer = Assert.Single(report["layers"]!.AsArray())!;
        Assert.Equal("fc_in", layer["path"]!.GetValue<string>());
        Assert.Equal(mask, layer["active_ranks"]!.AsArray().Select(a => a!.GetValue<bool>()));
        Assert.Equal(mask.Count(m => m), layer["effective_rank"]!.GetValue<long>());
    }

    /// <summary>A run that never ends by itself (10⁸ steps), with a checkpoint every 10 steps: only the test stops it.</summary>
    private static string[] EndlessRun(string model, string data, string output, params string[] extra) =>
        TrainArgs(model, data, output, 1, ["--max-steps", "100000000", "--save-steps", "10", .. extra]);

    [Fact]
    public void A_run_killed_with_SIGKILL_and_resumed_writes_exactly_the_checkpoint_of_an_uninterrupted_run()
    {
        var model = TinyHfModels.Gpt2();
        var data = Data();
        var killed = Directory.CreateTempSubdirectory("peft-cli-killed-").FullName;
        using (var child = Start(EndlessRun(model, data, killed)))
        {
            child.WaitForStep(21); // checkpoint-20 is in place; the kill lands wherever the run is by then, even mid-checkpoint
            child.KillHard();
        }
        Assert.False(File.Exists(Path.Combine(killed, AdapterFormat.WeightsFileName)), "an endless run must not have written its final adapter");

        long compared;
        using (var child = Start(EndlessRun(model, data, killed, "--resume", killed)))
        {
            long resumed = long.Parse(child.WaitForLine(@"resumed from .* at step (\d+)").Groups[1].Value);
            Assert.True(resumed >= 20, $"resumed at step {resumed}, before the checkpoint that existed when the run was killed");
            compared = resumed + 10; // the first checkpoint the resumed run writes itself
            child.WaitForStep(compared + 1);
            child.KillHard();
        }
        var straight = Directory.CreateTempSubdirectory("peft-cli-straight-").FullName;
        using (var child = Start(EndlessRun(model, data, straight)))
        {
            child.WaitForStep(compared + 1);
            child.KillHard();
        }

        // Parameters, optimizer moments, RNG state and the adapter, bit for bit.
        foreach (var file in new[] { PeftSharp.Training.TrainingCheckpoint.StateFile, AdapterFormat.WeightsFileName })
        {
            using var expected = SafetensorsFile.Open(Path.Combine(straight, $"checkpoint-{compared}", file));
            using var actual = SafetensorsFile.Open(Path.Combine(killed, $"checkpoint-{compared}", file));
            Assert.Equal(expected.Keys, actual.Keys);
            foreach (var key in expected.Keys)
            {
                using var e = expected.ReadTensor(key);
                using var a = actual.ReadTensor(key);
                Assert.True(e.eq(a).all().item<bool>(), $"{file}: {key} differs after kill + resume");
            }
        }
    }

    [Fact]
    public void SIGINT_writes_a_checkpoint_and_exits_with_130()
    {
        var model = TinyHfModels.Gpt2();
        var output = Directory.CreateTempSubdirectory("peft-cli-sigint-").FullName;
        using var child = Start(TrainArgs(model, Data(), output, 1, "--max-steps", "100000000")); // runs until interrupted
        child.WaitForStep(1); // training is under way: the interrupt handler is installed and the loop runs
        child.Signal(SigInt); // as Ctrl-C; the CLI handles it even if this test runner ignores SIGINT
        int code = child.WaitForExit();
        Assert.True(code == 130, $"exit {code}: {child.Error}");
        Assert.Contains("interrupted at step", child.Error);
        Assert.NotEmpty(PeftSharp.Training.TrainingCheckpoint.List(output));
    }

    private const int SigInt = 2;
}
