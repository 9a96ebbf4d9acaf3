using PeftSharp.Tuners;
using System.Diagnostics;
using PeftSharp.IO;

namespace PeftSharp.Tests.Workflows;

/// <summary>The CLI as users run it: a child process, its exit code, its one-line errors, SIGKILL and SIGINT.</summary>
public class CliProcessTests
{
    static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "peft.dll");

    /// <summary>A running CLI whose output is drained continuously (a full pipe would block it).</summary>
    sealed class Child : IDisposable
    {
        readonly System.Text.StringBuilder output = new(), error = new();
        public Process Process { get; }

        public Child(string[] args)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(Cli);
            foreach (var a in args) info.ArgumentList.Add(a);
            Process = new Process { StartInfo = info };
            Process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
            Process.ErrorDataReceived += (_, e) => { lock (error) error.AppendLine(e.Data); };
            Process.Start();
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public string Output { get { Process.WaitForExit(); lock (output) return output.ToString(); } }
        public string Error { get { Process.WaitForExit(); lock (error) return error.ToString(); } }

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }

    static Child Start(params string[] args) => new(args);

    static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var child = Start(args);
        if (!child.Process.WaitForExit(TimeSpan.FromMinutes(3))) throw new TimeoutException(string.Join(' ', args));
        return (child.Process.ExitCode, child.Output, child.Error);
    }

    static string[] TrainArgs(string model, string data, string output, int epochs, params string[] extra) =>
        ["train", "--model", model, "--data", data, "--out", output, "--task", "causal-lm", "--method", "lora", "--r", "4",
         "--target-modules", "all-linear", "--lora-dropout", "0.2", "--lr", "0.01", "--epochs", epochs.ToString(), "--batch-size", "2",
         "--seed", "7", "--logging-steps", "1", .. extra];

    static string Data() => TinyHfModels.Jsonl(Enumerable.Range(0, 8).Select(i => $$"""{"prompt": "item {{i}}:", "completion": " value {{i * 7}} and more"}""").ToArray());

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

    [Fact]
    public void A_run_killed_with_SIGKILL_and_resumed_ends_with_exactly_the_uninterrupted_adapter()
    {
        var model = TinyHfModels.Gpt2();
        var data = Data();
        var straight = Directory.CreateTempSubdirectory("peft-cli-straight-").FullName;
        Assert.Equal(0, Run(TrainArgs(model, data, straight, 30, "--save-steps", "10")).Code);

        var killed = Directory.CreateTempSubdirectory("peft-cli-killed-").FullName;
        using (var child = Start(TrainArgs(model, data, killed, 30, "--save-steps", "10")))
        {
            var p = child.Process;
            // Kill hard once a checkpoint beyond step 10 exists: no chance to clean up.
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (!Directory.Exists(Path.Combine(killed, "checkpoint-20")) && DateTime.UtcNow < deadline && !p.HasExited) Thread.Sleep(50);
            Assert.False(p.HasExited, "the run finished before it could be killed");
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(killed, AdapterFormat.WeightsFileName)), "the final adapter must not exist yet");
        var (code, _, err) = Run(TrainArgs(model, data, killed, 30, "--save-steps", "10", "--resume", killed));
        Assert.True(code == 0, err);

        using var expected = SafetensorsFile.Open(Path.Combine(straight, AdapterFormat.WeightsFileName));
        using var actual = SafetensorsFile.Open(Path.Combine(killed, AdapterFormat.WeightsFileName));
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var key in expected.Keys)
            Assert.True(expected.ReadTensor(key).eq(actual.ReadTensor(key)).all().item<bool>(), $"{key} differs after kill + resume");
    }

    [Fact]
    public void SIGINT_writes_a_checkpoint_and_exits_with_130()
    {
        var model = TinyHfModels.Gpt2();
        var output = Directory.CreateTempSubdirectory("peft-cli-sigint-").FullName;
        using var child = Start(TrainArgs(model, Data(), output, 1, "--max-steps", "100000000")); // runs until interrupted
        var p = child.Process;
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!File.Exists(Path.Combine(output, "metrics.jsonl")) && DateTime.UtcNow < deadline && !p.HasExited) Thread.Sleep(50);
        if (p.HasExited) Assert.Fail(child.Error);
        Thread.Sleep(300);
        using (var kill = Process.Start("kill", ["-INT", p.Id.ToString()])) kill.WaitForExit(); // as Ctrl-C
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "no exit after SIGINT");
        Assert.True(p.ExitCode == 130, $"exit {p.ExitCode}: {child.Error}");
        Assert.NotEmpty(PeftSharp.Training.TrainingCheckpoint.List(output));
    }
}
