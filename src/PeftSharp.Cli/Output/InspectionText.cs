using System.Globalization;
using System.Text.Json;
using PeftSharp.Workflows;

namespace PeftSharp.Cli.Output;

/// <summary>
/// <c>peft inspect</c>'s report as text and as JSON. The text puts the numbers in fixed columns and the layer's module
/// path last, so that no path is ever broken across lines (a table sized to the terminal would wrap long paths).
/// </summary>
internal static class InspectionText
{
    public static IEnumerable<string> Lines(InspectionReport report)
    {
        yield return string.Create(CultureInfo.InvariantCulture,
            $"method {report.Method} ({report.PeftType}), {report.TrainableParameters:N0} parameters, {report.Layers.Count} layers, mean effective rank {report.MeanEffectiveRank?.ToString("F2", CultureInfo.InvariantCulture) ?? "n/a"}");
        if (report.Note is not null) yield return report.Note;
        yield return "";
        yield return $"{"in",7} {"out",7} {"parameters",11} {"rank",5}  layer";
        foreach (var l in report.Layers)
        {
            var masks = l.ActiveRanks is null ? "" : $"  active {l.ActiveRanks.Count(a => a)}/{l.ActiveRanks.Length} " + string.Concat(l.ActiveRanks.Select(a => a ? '█' : '·'));
            yield return string.Create(CultureInfo.InvariantCulture,
                $"{l.InFeatures,7} {l.OutFeatures,7} {l.Parameters,11:N0} {l.EffectiveRank?.ToString(CultureInfo.InvariantCulture) ?? "n/a",5}  {l.Path}{masks}");
        }
    }

    public static string Json(InspectionReport report) => JsonSerializer.Serialize(new
    {
        method = report.Method, peft_type = report.PeftType, trainable_parameters = report.TrainableParameters,
        mean_effective_rank = report.MeanEffectiveRank, note = report.Note,
        layers = report.Layers.Select(l => new { path = l.Path, in_features = l.InFeatures, out_features = l.OutFeatures, parameters = l.Parameters, effective_rank = l.EffectiveRank, active_ranks = l.ActiveRanks }),
    }, ConsoleOutput.JsonOptions);
}
