using System.Diagnostics;
using System.Text.Json.Nodes;
using PeftSharp.Training;
using PeftSharp.Workflows;

namespace PeftSharp.Tests.Workflows;

/// <summary>
/// What the operating system does to a run — signals, a second run, a full disk, a read-only folder — and resuming from a
/// checkpoint alone, with the CLI as a real child process.
/// </summary>
public class ReliabilityProcessTests
{
    private const int SigInt = 2, SigTerm = 15;

    private static string NewFolder(string name) => Directory.CreateTempSubdirectory($"peft-rel-{name}-").FullName;

    private static string Data() => TinyHfModels.Jsonl(Enumerable.Range(0, 8).Select(i => $$"""{"prompt": "item {{i}}:", "completion": " value {{i * 7}} and more"}""").ToArray());

    private static string[] Train(string model, string data, string output, params string[] extra) =>
        ["train", "--model", model, "--data", data, "--out", output, "--task", "causal-lm", "--method", "lora", "--r", "4",
         "--lr", "0.01", "--batch-size", "2", "--seed", "7", "--logging-steps", "1", .. extra];

    /// <summary>A run that only a signal ends (10⁸ steps).</summary>
    private static string[] Endless(string model, string data, string output) => Train(model, data, output, "--max-steps", "100000000");

    [Fact]
    public void SIGTERM_is_treated_like_SIGINT_a_checkpoint_is_written_and_the_exit_code_is_143()
    {
        var output = NewFolder("sigterm");
        using var child = PeftProcess.Start(Endless(TinyHfModels.Gpt2(), Data(), output));
        child.WaitForStep(1);
        child.Signal(SigTerm); // what kill, timeout, systemd and container runtimes send
        Assert.Equal(143, child.WaitForExit());
        Assert.Contains("terminate: finishing the current step and writing a checkpoint", child.Error);
        Assert.NotEmpty(TrainingCheckpoint.List(output));
    }

    [Fact]
    public void SIGINT_is_honoured_even_when_the_run_inherited_it_ignored()
    {
        var output = NewFolder("sigint-ignored");
        // A script's background job (`peft train … &` without job control) starts with SIGINT ignored; exec keeps that.
        using var child = PeftProcess.StartWrapped(["sh", "-c", "trap '' INT; exec \"$@\"", "sh"], Endless(TinyHfModels.Gpt2(), Data(), output));
        child.WaitForStep(1);
        child.Signal(SigInt);
        Assert.Equal(130, child.WaitForExit());
        Assert.NotEmpty(TrainingCheckpoint.List(output));
    }

    [Fact]
    public void A_second_run_into_a_running_runs_folder_is_refused_naming_its_process_id()
    {
        var model = TinyHfModels.Gpt2();
        var data = Data();
        var output = NewFolder("busy");
        using var first = PeftProcess.Start(Endless(model, data, output));
        first.WaitForStep(1);
        var (code, error) = PeftProcess.Run(Train(model, data, output, "--max-steps", "2", "--overwrite"));
        Assert.Equal(1, code);
        var line = Assert.Single(error.Trim().Split('\n'));
        Assert.Contains($"is in use by another PeftSharp command (process {first.Process.Id})", line);
        first.Signal(SigTerm);
        Assert.Equal(143, first.WaitForExit());
        Assert.NotEmpty(TrainingCheckpoint.List(output)); // the second run deleted nothing of the first
    }

    [Fact]
    public void Resume_with_the_checkpoint_alone_continues_the_run_may_extend_it_and_refuses_a_changed_setting()
    {
        var output = NewFolder("resume-alone");
        var (code, error) = PeftProcess.Run(Train(TinyHfModels.Gpt2(), Data(), output, "--max-steps", "4", "--save-steps", "2"));
        Assert.True(code == 0, error);

        (code, error) = PeftProcess.Run("train", "--resume", output, "--max-steps", "6");
        Assert.True(code == 0, error);
        Assert.Contains("resumed from", error);
        Assert.Contains("the run now has 6 steps instead of 4", error);
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(output, TrainWorkflow.FinalMetricsFile)))!;
        Assert.Equal(6, metrics["steps"]!.GetValue<long>());

        (code, error) = PeftProcess.Run("train", "--resume", TrainingCheckpoint.PathFor(output, 6), "--lora-alpha", "64");
        Assert.Equal(1, code);
        var line = Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("error: --lora-alpha must be 8 (the value ", line);
        Assert.EndsWith("got 64", line);
    }

    /// <summary>
    /// Runs peft with <paramref name="folder"/> replaced by a fresh tmpfs mounted with <paramref name="mountOptions"/>, in a
    /// private user and mount namespace (no root needed where unprivileged user namespaces are allowed); skips when the
    /// machine allows neither.
    /// </summary>
    private static (int Code, string Error) RunOnTmpfs(string folder, string mountOptions, string[] args)
    {
        string[] wrapper = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", $"mount -t tmpfs -o {mountOptions} tmpfs \"$0\" && exec \"$@\"", folder];
        try
        {
            using var probe = Process.Start(new ProcessStartInfo(wrapper[0], [.. wrapper[1..], "true"]) { RedirectStandardError = true })!;
            probe.WaitForExit();
            Skip.If(probe.ExitCode != 0, $"cannot mount a private tmpfs here (unshare/mount failed: {probe.StandardError.ReadToEnd().Trim()}); the condition cannot be set up");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Skip.If(true, $"cannot mount a private tmpfs here ({e.Message}); the condition cannot be set up");
        }
        using var child = PeftProcess.StartWrapped(wrapper, args);
        return (child.WaitForExit(), child.Error);
    }

    [SkippableFact]
    public void A_full_disk_is_one_line_naming_the_file_and_exit_code_1()
    {
        var folder = NewFolder("full");
        var (code, error) = RunOnTmpfs(folder, "size=16k", Train(TinyHfModels.Gpt2(), Data(), Path.Combine(folder, "run"), "--max-steps", "3", "--save-steps", "1"));
        Assert.Equal(1, code);
        var line = Assert.Single(error.Split('\n'), l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Contains($"{folder}/run/", line);
        Assert.Contains("cannot write: the disk is full; free some space or write elsewhere", line);
        Assert.DoesNotContain("internal error", error);
    }

    [SkippableFact]
    public void A_read_only_folder_is_one_line_naming_it_and_exit_code_1()
    {
        var folder = NewFolder("readonly");
        var (code, error) = RunOnTmpfs(folder, "ro", Train(TinyHfModels.Gpt2(), Data(), Path.Combine(folder, "run"), "--max-steps", "3"));
        Assert.Equal(1, code);
        Assert.Equal($"error: --out {folder}/run: cannot write: the file system is read-only; write to another folder", error.Trim());
    }
}
