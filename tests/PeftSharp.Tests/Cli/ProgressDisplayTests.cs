using System.Text.RegularExpressions;
using PeftSharp.Cli.Output;
using PeftSharp.Training;
using Spectre.Console.Testing;

namespace PeftSharp.Tests.Cli;

/// <summary>The CLI's progress: live rows that fit the terminal, plain lines for logs, "run k of N" with the time left for all runs.</summary>
public class ProgressDisplayTests
{
    private static readonly StepReport Step50 = new(50, 125, 0, 3.14159, 0.0123, 0.005, 1.0, 12_345.6, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(45));

    /// <summary>A comparison's run half-way through training while a dev evaluation runs (as the live display would show it).</summary>
    private static void Drive(ProgressDisplay display)
    {
        var comparison = new ComparisonProgress(display, 12);
        var run = comparison.Next("dual-lora (seed 43)");
        run.OnStart(125, 0);
        run.OnStep(Step50);
        run.OnEvaluationProgress("dev", 0, 1155);
        run.OnEvaluationProgress("dev", 320, 1155);
        run.OnMessage("5 classes named in the data");
    }

    [Theory]
    [InlineData(80)]
    [InlineData(60)]
    [InlineData(132)]
    public void Live_rows_never_exceed_the_terminal_width(int width)
    {
        var console = new TestConsole().Width(width).Interactive().SupportsAnsi(true).EmitAnsiSequences();
        LiveProgressDisplay.Run(console, display => { Drive(display); return 0; });
        var lines = Regex.Replace(console.Output, @"\x1b\[[0-9;?]*[A-Za-z]", "").Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var rows = lines.Where(l => l.Contains("/125") || l.Contains("/1,155") || l.Contains("/12 ")).ToList();
        Assert.Contains(rows, l => l.StartsWith("dual-lora (seed 43)") && l.Contains("50/125"));
        Assert.Contains(rows, l => l.StartsWith("dual-lora (seed 43)") && l.Contains("320/1,155"));
        Assert.Contains(rows, l => l.StartsWith("all runs") && l.Contains("0/12"));
        if (width >= 80) Assert.Contains(rows, l => l.StartsWith("dual-lora (seed 43) mean loss 3.1416") && l.EndsWith("0:45"));
        Assert.All(rows, l => Assert.True(l.Length <= width, $"{l.Length} columns: '{l}'"));
    }

    [Fact]
    public void Plain_lines_give_counts_the_loss_label_and_the_time_left()
    {
        var output = new StringWriter();
        Drive(new LineProgressDisplay(output));
        var text = output.ToString();
        Assert.Contains("all runs: 0/12 run 1 of 12: dual-lora (seed 43)", text);
        Assert.Contains("dual-lora (seed 43): 0/125 training", text);
        Assert.Contains("dual-lora (seed 43) dev: 0/1,155 evaluating", text);
        Assert.Contains("dual-lora (seed 43): 5 classes named in the data", text);
        // Later reports within the interval are not repeated line by line; the end of a phase always is.
        Assert.DoesNotContain("320/1,155", text);
        var finished = new StringWriter();
        var bar = new LineProgressDisplay(finished).Start("eval");
        bar.Report(0, 10, "examples", null);
        bar.Report(5, 10, "examples", TimeSpan.FromSeconds(5));
        bar.Report(10, 10, "examples", TimeSpan.Zero);
        Assert.Equal(["eval: 0/10 examples, –:–– left", "eval: 10/10 examples"], finished.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')));
    }

    [Fact]
    public void A_training_step_line_says_the_loss_is_a_mean()
    {
        var output = new StringWriter();
        var run = new RunProgress(new LineProgressDisplay(output), "lora", logEveryStep: true);
        run.OnStart(125, 0);
        run.OnStep(Step50);
        Assert.Contains("lora: 50/125 mean loss 3.1416 reg 0.0123 lr 5e-3 12346 tok/s, 0:45 left", output.ToString());
    }

    [Theory]
    [InlineData(0, "–:––")]
    [InlineData(59, "0:59")]
    [InlineData(125, "2:05")]
    [InlineData(3 * 3600 + 61, "3:01:01")]
    public void Durations_are_hours_minutes_seconds(int seconds, string text) =>
        Assert.Equal(text, ProgressDisplay.Duration(seconds == 0 ? null : TimeSpan.FromSeconds(seconds)));
}
