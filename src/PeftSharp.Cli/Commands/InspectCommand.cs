using System.CommandLine;
using PeftSharp.Cli.Options;
using PeftSharp.Cli.Output;
using PeftSharp.Workflows;

namespace PeftSharp.Cli.Commands;

/// <summary><c>peft inspect</c>: what a saved adapter is and the effective rank of its ΔW per layer.</summary>
internal sealed class InspectCommand : ICliCommand
{
    public Command Command { get; } = new("inspect", "Show an adapter's method, parameter count, per-layer effective rank of ΔW and active-rank masks.");
    private readonly Option<string> adapter;
    private readonly Option<string?> model;
    private readonly Option<bool> json;

    public InspectCommand()
    {
        var o = new OptionSet(Command);
        adapter = o.Add<string>("adapter", "Adapter folder (PEFT format)", required: true);
        model = o.Add<string?>("model", "Base model folder (needed for DoRA's effective ranks)");
        json = o.Add<bool>("json", "Print the report as JSON");
    }

    public int Run(ParseResult p, CancellationToken cancel)
    {
        var report = InspectWorkflow.Run(p.GetValue(adapter)!, p.GetValue(model), ConsoleOutput.Warn);
        if (p.GetValue(json)) Console.WriteLine(InspectionText.Json(report));
        else foreach (var line in InspectionText.Lines(report)) Console.WriteLine(line);
        return 0;
    }
}
