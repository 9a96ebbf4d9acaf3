using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeftSharp.IO;
using PeftSharp.Training;

namespace PeftSharp.Workflows;

/// <summary>Several methods on the same data at an equal parameter budget, each over the same seeds.</summary>
public sealed record CompareSettings
{
    /// <summary>The shared settings; each run replaces the method, seed and output folder.</summary>
    public required TrainSettings Base { get; init; }
    public required IReadOnlyList<string> Methods { get; init; }
    public IReadOnlyList<int> Seeds { get; init; } = [42];
    public string? TestDataPath { get; init; }
    public required string OutputDirectory { get; init; }
    /// <summary>Per-method learning rates replacing the shared one (full fine-tuning usually needs a lower one than adapters).</summary>
    public IReadOnlyDictionary<string, double>? LearningRates { get; init; }
}

/// <summary>Mean and sample standard deviation over seeds.</summary>
public readonly record struct Spread(double Mean, double Std, int Count)
{
    public static Spread Of(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).ToList();
        if (v.Count == 0) return new(double.NaN, double.NaN, 0);
        double mean = v.Average();
        double std = v.Count > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1)) : 0;
        return new(mean, std, v.Count);
    }

    public string Format(double scale = 1, string format = "F2") => Count == 0 ? "n/a"
        : Count == 1 ? (Mean * scale).ToString(format, CultureInfo.InvariantCulture)
        : $"{(Mean * scale).ToString(format, CultureInfo.InvariantCulture)} ± {(Std * scale).ToString(format, CultureInfo.InvariantCulture)}";
}

/// <summary>One method's runs in a comparison.</summary>
public sealed record MethodComparison(string Method, long TrainableParameters, double TrainablePercent, string? Metric,
    Spread Dev, Spread Test, Spread TrainSeconds, Spread TrainingMemoryMb, Spread MeanEffectiveRank, IReadOnlyList<TrainRunResult> Runs);

/// <summary>
/// <c>peft compare</c> (and the demo): trains each method over each seed with <see cref="TrainWorkflow"/>, then writes
/// <c>comparison.md</c> / <c>comparison.json</c>, a bar chart of the primary metric, the loss curves, and the per-layer
/// effective rank of ΔW per method (paper 001 Fig. 3).
/// </summary>
public static class CompareWorkflow
{
    public static IReadOnlyList<MethodComparison> Run(CompareSettings settings, Func<string, ITrainingObserver?> observerFor, Action<string>? warn = null,
        CancellationToken cancel = default)
    {
        if (settings.Methods.Count == 0) throw new PeftSharpException("compare needs at least one method");
        if (settings.Seeds.Count == 0) throw new PeftSharpException("compare needs at least one seed");
        var comparisons = new List<MethodComparison>();
        foreach (var method in settings.Methods)
        {
            var runs = new List<TrainRunResult>();
            foreach (var seed in settings.Seeds)
            {
                cancel.ThrowIfCancellationRequested();
                var folder = Path.Combine(settings.OutputDirectory, method, settings.Seeds.Count > 1 ? $"seed-{seed}" : "");
                var run = settings.Base with
                {
                    OutputDirectory = folder,
                    Method = settings.Base.Method with { Method = method },
                    Trainer = settings.Base.Trainer with
                    {
                        OutputDirectory = folder, Seed = seed,
                        LearningRate = settings.LearningRates?.GetValueOrDefault(method, settings.Base.Trainer.LearningRate) ?? settings.Base.Trainer.LearningRate,
                    },
                };
                var result = TrainWorkflow.Run(run, observerFor(settings.Seeds.Count > 1 ? $"{method} (seed {seed})" : method), warn, cancel, settings.TestDataPath);
                if (result.Train.Interrupted) throw new OperationCanceledException($"interrupted during {method}");
                runs.Add(result);
            }
            comparisons.Add(Summarise(method, runs));
        }
        Write(settings.OutputDirectory, comparisons);
        return comparisons;
    }

    static MethodComparison Summarise(string method, IReadOnlyList<TrainRunResult> runs)
    {
        var metric = runs[0].Train.PrimaryMetric;
        double Metric(IReadOnlyDictionary<string, double>? m) => metric is not null && m is not null && m.TryGetValue(metric, out var v) ? v : double.NaN;
        return new MethodComparison(method, runs[0].TrainableParameters, runs[0].TrainablePercent, metric,
            Spread.Of(runs.Select(r => Metric(r.EvalMetrics))), Spread.Of(runs.Select(r => Metric(r.TestMetrics))),
            Spread.Of(runs.Select(r => r.Train.TrainTime.TotalSeconds)), Spread.Of(runs.Select(r => r.Train.TrainingMemoryBytes / 1048576.0)),
            Spread.Of(runs.Where(r => r.EffectiveRanks.Count > 0).Select(r => r.EffectiveRanks.Average(x => (double)x.Rank))), runs);
    }

    /// <summary>Fractions (accuracy, F1, BLEU, …) are shown ×100; metrics on their own scale (loss, perplexity, NIST, CIDEr) as they are.</summary>
    internal static double DisplayScale(string? metric) => metric is "loss" or "perplexity" or "nist" or "cider" ? 1 : 100;

    /// <summary>The comparison as a Markdown table (also printed by the CLI).</summary>
    public static string Table(IReadOnlyList<MethodComparison> comparisons)
    {
        var metric = comparisons.Select(c => c.Metric).FirstOrDefault(m => m is not null) ?? "metric";
        double scale = DisplayScale(metric);
        var text = new StringBuilder();
        text.AppendLine($"| method | trainable params | trainable % | dev {metric}{(scale == 100 ? " (%)" : "")} | test {metric}{(scale == 100 ? " (%)" : "")} | train time (s) | training memory (MB) | mean effective rank of ΔW |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var c in comparisons)
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {c.Method} | {c.TrainableParameters:N0} | {c.TrainablePercent:F2} | {c.Dev.Format(scale)} | {c.Test.Format(scale)} | {c.TrainSeconds.Format(1, "F1")} | {c.TrainingMemoryMb.Format(1, "F0")} | {c.MeanEffectiveRank.Format(1, "F1")} |"));
        return text.ToString();
    }

    static void Write(string directory, IReadOnlyList<MethodComparison> comparisons)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, "comparison.md"), Table(comparisons));
        var json = new JsonArray(comparisons.Select(c => (JsonNode?)new JsonObject
        {
            ["method"] = c.Method,
            ["trainable_parameters"] = c.TrainableParameters,
            ["trainable_percent"] = c.TrainablePercent,
            ["metric"] = c.Metric,
            ["dev"] = Node(c.Dev), ["test"] = Node(c.Test),
            ["train_seconds"] = Node(c.TrainSeconds), ["training_memory_mb"] = Node(c.TrainingMemoryMb),
            ["mean_effective_rank"] = Node(c.MeanEffectiveRank),
            ["effective_rank_per_layer"] = new JsonObject(c.Runs[0].EffectiveRanks.Select(r => KeyValuePair.Create(r.Path, (JsonNode?)r.Rank))),
        }).ToArray());
        AtomicFile.WriteAllText(Path.Combine(directory, "comparison.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        ComparisonPlots.Write(directory, comparisons);
    }

    static JsonObject Node(Spread s) => new()
    {
        ["mean"] = double.IsFinite(s.Mean) ? s.Mean : null,
        ["std"] = double.IsFinite(s.Std) ? s.Std : null,
        ["runs"] = s.Count,
    };
}
