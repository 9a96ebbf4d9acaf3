using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeftSharp.IO;

namespace PeftSharp.Training;

/// <summary>
/// metrics.jsonl: one JSON object per logged step or evaluation, appended as it happens (each line handed to the
/// operating system at once, flushed to disk with every checkpoint). A run starts a new log; a resumed run keeps the
/// entries up to its checkpoint (rewritten once, atomically) and appends after them, so the history survives any
/// sequence of kills and resumes. A line torn by a kill is dropped on resume.
/// </summary>
internal sealed class MetricsLog : IDisposable
{
    public const string FileName = "metrics.jsonl";
    private readonly List<JsonObject> entries = new();
    private readonly string path;
    private FileStream? stream; // opened with the first entry, so a run that logs nothing leaves no file

    /// <param name="outputDirectory">Where the log goes.</param>
    /// <param name="keepUpToStep">Null: a new run, the log starts empty. A step: a resumed run keeps the entries up to it.</param>
    public MetricsLog(string outputDirectory, long? keepUpToStep)
    {
        path = Path.Combine(outputDirectory, FileName);
        if (keepUpToStep is { } last && File.Exists(path)) entries.AddRange(ReadUpTo(last));
    }

    public IReadOnlyList<JsonObject> Entries => entries;

    public void Add(JsonObject entry)
    {
        try
        {
            if (stream is null)
            {
                AtomicFile.WriteAllText(path, string.Concat(entries.Select(e => e.ToJsonString() + "\n"))); // the kept history, once
                stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            }
            stream.Write(Encoding.UTF8.GetBytes(entry.ToJsonString() + "\n"));
            stream.Flush(); // to the operating system: a killed process loses nothing written so far
        }
        catch (Exception e) when (WriteFailure.IsWriteError(e))
        {
            throw WriteFailure.For(path, e);
        }
        entries.Add(entry);
    }

    /// <summary>Makes what was logged so far durable (called with every checkpoint).</summary>
    public void Sync()
    {
        try { stream?.Flush(flushToDisk: true); }
        catch (Exception e) when (WriteFailure.IsWriteError(e)) { throw WriteFailure.For(path, e); }
    }

    private IEnumerable<JsonObject> ReadUpTo(long last)
    {
        var lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            JsonObject? entry;
            try { entry = JsonNode.Parse(lines[i]) as JsonObject; }
            catch (JsonException) when (i == lines.Length - 1) { yield break; } // torn by a kill while appending
            catch (JsonException e) { throw new PeftSharpException($"{path}:{i + 1}: not a JSON object ({e.Message}); move the file away to resume"); }
            if (entry?["step"] is JsonValue step && step.TryGetValue<long>(out var s) && s <= last) yield return entry;
        }
    }

    public void Dispose() => stream?.Dispose();

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
    private static JsonNode? Round(double v) => double.IsFinite(v) ? double.Parse(v.ToString("G8", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : null;
}
