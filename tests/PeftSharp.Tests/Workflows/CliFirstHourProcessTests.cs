using System.Diagnostics;

namespace PeftSharp.Tests.Workflows;

/// <summary>The first commands a new user types, run as the real CLI: mistakes fail at once with one line, string labels train.</summary>
public class CliFirstHourProcessTests
{
    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "peft.dll");

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Cli);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3))) { process.Kill(entireProcessTree: true); throw new TimeoutException(string.Join(' ', args)); }
        return (process.ExitCode, output.Result, error.Result);
    }

    [Fact]
    public void Demo_with_a_mistyped_method_fails_before_training_anything()
    {
        var output = Path.Combine(Path.GetTempPath(), $"peft-demo-{Guid.NewGuid():N}");
        var (code, _, err) = Run("demo", "--methods", "lora,loar", "--out", output);
        Assert.Equal(1, code);
        Assert.StartsWith("error: --methods loar: unknown method (did you mean lora?)", Assert.Single(err.Trim().Split('\n')));
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void A_text_value_for_a_number_says_a_number_and_a_typo_gets_a_suggestion()
    {
        var (code, _, err) = Run("train", "--model", "m", "--data", "d.jsonl", "--out", "o", "--lr", "abc");
        Assert.Equal((1, "error: --lr: expected a number, got 'abc' (see peft train --help)"), (code, err.Trim()));
        (code, _, err) = Run("train", "--model", "m", "--data", "d.jsonl", "--out", "o", "--max-step", "3");
        Assert.Equal((1, "error: unknown option --max-step (did you mean --max-steps?) (see peft train --help)"), (code, err.Trim()));
    }

    [Fact]
    public void String_labels_train_and_evaluate_with_counts_in_the_output()
    {
        var model = TinyHfModels.Gpt2();
        var data = TinyHfModels.Jsonl(Enumerable.Range(0, 8).Select(i => $$"""{"sentence": "words {{i}}", "label": "{{(i % 2 == 0 ? "pos" : "neg")}}"}""").ToArray());
        var output = Directory.CreateTempSubdirectory("peft-cli-labels-").FullName;
        var (code, stdout, err) = Run("train", "--model", model, "--data", data, "--out", output, "--max-steps", "2", "--batch-size", "2", "--eval-split", "0.25");
        Assert.True(code == 0, err);
        Assert.Contains("2 classes named in the data: 'neg', 'pos'", err);
        Assert.Contains("dev (2 examples): accuracy", stdout);
        Assert.Contains("loss of the last step", stdout);
        Assert.DoesNotContain("score.weight", err); // the head is trained with the adapter: no "newly initialised" warning
        (code, stdout, err) = Run("eval", "--model", model, "--adapter", output, "--data", data, "--json");
        Assert.True(code == 0, err);
        Assert.Equal(8, System.Text.Json.Nodes.JsonNode.Parse(stdout)!["examples"]!.GetValue<int>());
    }
}
