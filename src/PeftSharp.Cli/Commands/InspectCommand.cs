using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PeftSharp.Cli.Options;
using PeftSharp.Cli.Output;
using PeftSharp.Workflows;

namespace PeftSharp.Cli.Commands;

/// <summary><c>peft inspect</c>: what a saved adapter is and the effective rank of its ΔW per layer.</summary>
internal sealed class InspectCommand : ICliCommand
{
    public Command Command { get; } = new("inspect", "Show an adapter's method, parameter count, per-layer effective rank of ΔW and active-rank masks.");
    readonly Option<string> adapter;
    readonly Option<string?> model;
    readonly Option<bool> json;

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
        if (p.GetValue(json))
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                method = report.Method, peft_type = report.PeftType, trainable_parameters = report.TrainableParameters,
                mean_effective_rank = report.MeanEffectiveRank, note = report.Note,
                layers = report.Layers.Select(l => new { path = l.Path, in_features = l.InFeatures, out_features = l.OutFeatures, parameters = l.Parameters, effective_rank = l.EffectiveRank, active_ranks = l.ActiveRanks }),
            }, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"method {report.Method} ({report.PeftType}), {report.TrainableParameters:N0} parameters, {report.Layers.Count} layers, mean effective rank {report.MeanEffectiveRank?.ToString("F2", CultureInfo.InvariantCulture) ?? "n/a"}"));
        if (report.Note is not null) Console.WriteLine(report.Note);
        ConsoleOutput.Table("adapted layers", ["layer", "in", "out", "parameters", "effective rank", "active ranks"],
            report.Layers.Select(l => (IReadOnlyList<string>)[l.Path, l.InFeatures.ToString(CultureInfo.InvariantCulture), l.OutFeatures.ToString(CultureInfo.InvariantCulture),
                l.Parameters.ToString("N0", CultureInfo.InvariantCulture), l.EffectiveRank?.ToString(CultureInfo.InvariantCulture) ?? "n/a",
                l.ActiveRanks is null ? "" : $"{l.ActiveRanks.Count(a => a)}/{l.ActiveRanks.Length} " + string.Concat(l.ActiveRanks.Select(a => a ? '█' : '·'))]));
        return 0;
    }
}
