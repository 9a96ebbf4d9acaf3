using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeftSharp.IO;

namespace PeftSharp.Training;

/// <summary>
/// metrics.jsonl: one JSON object per logged step or evaluation. The whole file is rewritten atomically on each
/// entry, so a crash leaves the previous complete log; a resumed run keeps the entries up to its checkpoint.
/// </summary>
internal sealed class MetricsLog
{
    public const string FileName = "metrics.jsonl";
    readonly List<JsonObject> entries = new();
    readonly string path;

    public MetricsLog(string outputDirectory, long? keepUpToStep = null)
    {
        path = Path.Combine(outputDirectory, FileName);
        if (keepUpToStep is { } last && File.Exists(path))
            foreach (var line in File.ReadLines(path))
                if (JsonNode.Parse(line) is JsonObject o && o["step"]?.GetValue<long>() <= last) entries.Add(o);
    }

    public IReadOnlyList<JsonObject> Entries => entries;

    public void Add(JsonObject entry)
    {
        entries.Add(entry);
        var text = new StringBuilder();
        foreach (var e in entries) text.Append(e.ToJsonString()).Append('\n');
        AtomicFile.WriteAllText(path, text.ToString());
    }

    public static JsonObject StepEntry(StepReport r) => new()
    {
        ["step"] = r.Step,
        ["epoch"] = r.Epoch,
        ["loss"] = Round(r.Loss),
        ["reg_loss"] = r.RegularizationLoss is { } reg ? Round(reg) : null,
        ["lr"] = r.LearningRate,
        ["grad_norm"] = Round(r.GradNorm),
        ["tokens_per_second"] = Math.Round(r.TokensPerSecond, 1),
        ["elapsed_seconds"] = Math.Round(r.Elapsed.TotalSeconds, 2),
    };

    public static JsonObject EvalEntry(long step, IReadOnlyDictionary<string, double> metrics)
    {
        var o = new JsonObject { ["step"] = step };
        foreach (var (name, value) in metrics.OrderBy(m => m.Key, StringComparer.Ordinal)) o["eval_" + name] = Round(value);
        return o;
    }

    /// <summary>8 significant digits; non-finite values (JSON has none) become null.</summary>
    static JsonNode? Round(double v) => double.IsFinite(v) ? double.Parse(v.ToString("G8", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : null;
}
