using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using PeftSharp.IO;
using PeftSharp.Tuners;

namespace PeftSharp.Tests.Workflows;

/// <summary>The CLI as users run it: a child process, its exit code, its one-line errors, SIGKILL and SIGINT.</summary>
public class CliProcessTests
{
    static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "peft.dll");

    /// <summary>
    /// A running CLI whose output is drained continuously (a full pipe would block it). The test follows the child by
    /// the lines it writes to stderr, never by sleeping: <see cref="WaitForLine"/> returns when a line shows the event.
    /// </summary>
    sealed class Child : IDisposable
    {
        readonly System.Text.StringBuilder output = new(), error = new();
        readonly BlockingCollection<string> errorLines = new();
        public Process Process { get; }

        public Child(string[] args)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(Cli);
            foreach (var a in args) info.ArgumentList.Add(a);
            Process = new Process { StartInfo = info };
            Process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
            Process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) { errorLines.CompleteAdding(); return; }
                lock (error) error.AppendLine(e.Data);
                errorLines.Add(e.Data);
            };
            Process.Start();
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public string Output { get { WaitForExit(); lock (output) return output.ToString(); } }
        public string Error { get { WaitForExit(); lock (error) return error.ToString(); } }
        public string ErrorSoFar { get { lock (error) return error.ToString(); } }

        /// <summary>Blocks until a stderr line matches and returns its match; fails when stderr ends without one.</summary>
        public Match WaitForLine(string pattern)
        {
            var regex = new Regex(pattern);
            while (true)
            {
                // A hang guard only: each line of a healthy run comes within seconds, however busy the machine.
                if (!errorLines.TryTake(out var line, Hangs.Limit))
                {
                    if (errorLines.IsCompleted) Assert.Fail($"the run ended without a line matching '{pattern}':\n{ErrorSoFar}");
                    Assert.Fail($"no output for {Hangs.Limit} while waiting for '{pattern}' (a hang):\n{ErrorSoFar}");
                }
                if (regex.Match(line) is { Success: true } match) return match;
            }
        }

        /// <summary>Blocks until training has logged step <paramref name="step"/>: all checkpoints before it are in place.</summary>
        public void WaitForStep(long step) => WaitForLine($@": step {step}/");

        public void WaitForExit() => Assert.True(Process.WaitForExit(Hangs.Limit), $"no exit within {Hangs.Limit} (a hang)");

        /// <summary>SIGKILL: no chance to clean up.</summary>
        public void KillHard()
        {
            Process.Kill(entireProcessTree: true);
            WaitForExit();
        }

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
        child.WaitForExit();
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
        var recipe = Path.Combine(output, "recipe.json");
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
    static string[] EndlessRun(string model, string data, string output, params string[] extra) =>
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
        Assert.Equal(0, Kill(child.Process.Id, SigInt)); // as Ctrl-C; the CLI handles it even if this test runner ignores SIGINT
        child.WaitForExit();
        Assert.True(child.Process.ExitCode == 130, $"exit {child.Process.ExitCode}: {child.Error}");
        Assert.Contains("interrupted at step", child.Error);
        Assert.NotEmpty(PeftSharp.Training.TrainingCheckpoint.List(output));
    }

    const int SigInt = 2;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);
}
