using System.CommandLine;
using PeftSharp.Cli.Options;
using PeftSharp.Tuners;
using PeftSharp.Workflows;

namespace PeftSharp.Cli.Commands;

/// <summary><c>peft demo</c>: the whole point of PeftSharp in minutes, with no download.</summary>
internal sealed class DemoCommand : ICliCommand
{
    public Command Command { get; } = new("demo", "Fine-tune the shipped WordNet GPT-2 on a WordNet task with every method at an equal budget and compare them.");
    private readonly Option<string> task, output, methods;
    private readonly Option<bool> quick, overwrite;
    private readonly Option<int?> seeds;
    private readonly Option<int> r;

    public DemoCommand()
    {
        var o = new OptionSet(Command);
        task = o.Add("task", "wn-lexname (gloss → lexicographer file, 45 classes) | wn-pos | wn-define (word → gloss, generation)", "wn-lexname", choices: DemoWorkflow.Tasks);
        quick = o.Add<bool>("quick", "A smaller slice of the data and one seed: about 2 minutes");
        seeds = o.Maybe<int>("seeds", "Seeds per method; results are mean ± std (default: 2; with --quick: 1)");
        r = o.Add("r", "Parameter budget in LoRA ranks", 8);
        methods = o.Add("methods", "Comma-separated methods", string.Join(",", PeftMethods.ComparedByDefault.Select(m => m.Name)));
        output = o.Add("out", "Output folder", "demo-out");
        overwrite = o.Add<bool>("overwrite", "Write into an --out that already holds an earlier demo (its results are replaced)");
    }

    public int Run(ParseResult p, CancellationToken cancel)
    {
        // Every option is checked here, before minutes of training: a typo in the last method fails at once.
        var chosen = MethodList.Parse(p.GetValue(methods)!, "--methods");
        int seedCount = p.GetValue(seeds) ?? (p.GetValue(quick) ? 1 : 2);
        if (seedCount < 1) throw new PeftSharpException($"--seeds must be ≥ 1, got {seedCount}");
        if (p.GetValue(r) < 1) throw new PeftSharpException($"--r must be ≥ 1, got {p.GetValue(r)}");
        var settings = DemoWorkflow.Settings(p.GetValue(task)!, p.GetValue(quick), seedCount, chosen, p.GetValue(output)!, p.GetValue(r));
        settings = settings with { Base = settings.Base with { Overwrite = p.GetValue(overwrite) } };
        return Compare.Run(settings, cancel) is null ? StopSignals.ExitCode : 0;
    }
}
