using System.CommandLine;
using PeftSharp.Cli.Commands;
using PeftSharp.Cli.Options;

namespace PeftSharp.Tests.Cli;

/// <summary>What a user sees on a mistyped or invalid command line: one line that says what was expected and what was probably meant.</summary>
public class CliMessageTests
{
    private static readonly RootCommand Root = BuildRoot();

    private static RootCommand BuildRoot()
    {
        var root = new RootCommand();
        foreach (var command in new ICliCommand[] { new TrainCommand(), new EvalCommand(), new DemoCommand(), new CompareCommand(), new InspectCommand() })
            root.Subcommands.Add(command.Command);
        return root;
    }

    private static string Error(params string[] args)
    {
        var parse = Root.Parse(args);
        Assert.NotEmpty(parse.Errors);
        return ParseErrors.Describe(parse);
    }

    private static readonly string[] Train = ["train", "--model", "m", "--data", "d.jsonl", "--out", "o"];

    [Theory]
    [InlineData("--lr", "abc", "--lr: expected a number, got 'abc'")]
    [InlineData("--lr", "inf", "--lr: expected a number, got 'inf'")]
    [InlineData("--epochs", "2.5", "--epochs: expected an integer, got '2.5'")]
    [InlineData("--max-steps", "many", "--max-steps: expected an integer, got 'many'")]
    [InlineData("--warmup-ratio", "x", "--warmup-ratio: expected a number, got 'x'")]
    public void A_number_option_with_text_says_a_number_is_expected_not_a_NET_type(string option, string value, string message)
    {
        var text = Error([.. Train, option, value]);
        Assert.StartsWith(message, text);
        Assert.DoesNotContain("System.", text);
    }

    [Theory]
    [InlineData("--max-step", "--max-steps")]
    [InlineData("--lerning-rate", null)]
    [InlineData("--lora_alpha", "--lora-alpha")]
    [InlineData("--eval-max", "--eval-max-examples")]
    public void An_unknown_option_names_the_closest_known_one(string typed, string? meant)
    {
        var text = Error([.. Train, typed, "3"]);
        Assert.StartsWith($"unknown option {typed}", text);
        if (meant is null) Assert.DoesNotContain("did you mean", text);
        else Assert.Contains($"(did you mean {meant}?)", text);
        Assert.DoesNotContain("'3'", text); // the unknown option's value is not a second error
        Assert.EndsWith("(see peft train --help)", text);
    }

    [Fact]
    public void An_unknown_command_names_the_closest_command() =>
        Assert.Equal("unknown command 'traim' (did you mean train?) (see peft --help)", Error("traim", "--model", "m"));

    [Fact]
    public void Demo_help_shows_each_default_once_and_compare_has_only_methods()
    {
        var demo = Root.Subcommands.Single(c => c.Name == "demo");
        var seeds = demo.Options.Single(o => o.Name == "--seeds");
        Assert.Contains("default: 2; with --quick: 1", seeds.Description);
        Assert.False(seeds.HasDefaultValue); // no "[default: 0]" after it
        var compare = Root.Subcommands.Single(c => c.Name == "compare");
        Assert.Contains(compare.Options, o => o.Name == "--methods");
        Assert.DoesNotContain(compare.Options, o => o.Name == "--method");
    }

    [Fact]
    public void The_data_help_names_the_JSONL_fields()
    {
        var data = Root.Subcommands.Single(c => c.Name == "train").Options.Single(o => o.Name == "--data").Description!;
        foreach (var field in new[] { "\"text\"", "\"prompt\", \"completion\"", "\"input_ids\"", "\"sentence\", \"label\"", "\"sentence1\", \"sentence2\", \"label\"", "labels.json" })
            Assert.Contains(field, data);
        Assert.Contains("regression", Root.Subcommands.Single(c => c.Name == "eval").Options.Single(o => o.Name == "--task").Description!);
    }

    [Theory]
    [InlineData("--methods", "lora,loar", "--methods loar: unknown method (did you mean lora?)")]
    [InlineData("--methods", "LoRA,Dual-LoRA,bogus", "--methods bogus: unknown method")]
    [InlineData("--seeds", "0", "--seeds must be ≥ 1, got 0")]
    [InlineData("--r", "0", "--r must be ≥ 1, got 0")]
    [InlineData("--r", "3", "--r must be an even number ≥ 2")]
    public void Demo_rejects_a_bad_option_before_any_work(string option, string value, string message)
    {
        var output = Path.Combine(Path.GetTempPath(), $"peft-demo-{Guid.NewGuid():N}");
        var demo = new DemoCommand();
        var root = new RootCommand { Subcommands = { demo.Command } };
        var parse = root.Parse(["demo", option, value, "--out", output]);
        Assert.Empty(parse.Errors);
        var e = Assert.ThrowsAny<PeftSharpException>(() => demo.Run(parse, CancellationToken.None));
        Assert.StartsWith(message, e is InvalidOptionException invalid && FlagNames.For(invalid.Option) is { } flag ? invalid.MessageFor(flag) : e.Message);
        Assert.False(Directory.Exists(output), "nothing may be written before the options are checked");
    }

    [Fact]
    public void Method_names_are_case_insensitive()
    {
        var train = new TrainCommand();
        var root = new RootCommand { Subcommands = { train.Command } };
        Assert.Equal("dual-lora", train.Method(root.Parse([.. Train, "--method", "Dual-LoRA"])).Name);
    }
}
