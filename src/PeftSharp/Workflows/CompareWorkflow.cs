using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeftSharp.IO;
using PeftSharp.Training;
using PeftSharp.Tuners;

namespace PeftSharp.Workflows;

/// <summary>One row of a comparison: a named method configuration (null = full fine-tuning) and, optionally, its own learning rate.</summary>
public sealed record MethodRun(string Name, AdapterConfig? Adapter, double? LearningRate = null)
{
    /// <summary>The run of a registered method at the budget of LoRA rank <paramref name="r"/>.</summary>
    public static MethodRun ForBudget(PeftMethod method, int r, double? learningRate = null) => new(method.Name, method.ForBudget(r), learningRate);
}

/// <summary>Several method configurations on the same data, each over the same seeds.</summary>
public sealed record CompareSettings
{
    /// <summary>The shared settings; each run replaces the adapter, seed, learning rate and output folder. Its <c>Overwrite</c> allows replacing an earlier comparison in the output folder.</summary>
    public required TrainSettings Base { get; init; }
    /// <summary>The rows of the comparison, in order; names must be distinct (each gets its own folder).</summary>
    public required IReadOnlyList<MethodRun> Runs { get; init; }
    public IReadOnlyList<int> Seeds { get; init; } = [42];
    public required string OutputDirectory { get; init; }
    /// <summary>
    /// Learning rates to choose from on the evaluation (dev) data for every run without its own learning rate (empty =
    /// no selection): each is trained with the first seed, the best primary dev metric wins, and the other seeds train
    /// at the winner. The choice and every candidate's dev score are reported.
    /// </summary>
    public IReadOnlyList<double> LearningRateGrid { get; init; } = [];

    /// <summary>How many training runs the comparison makes: a selection trains every candidate rate with the first seed and reuses the winner's run.</summary>
    public int TrainingRuns => Runs.Sum(r => r.LearningRate is null && LearningRateGrid.Count > 0 ? LearningRateGrid.Count + Seeds.Count - 1 : Seeds.Count);
}

/// <summary>One candidate of a learning-rate selection: its rate, the primary dev metric it reached and its run (first seed).</summary>
public sealed record LearningRateTrial(double LearningRate, double DevMetric, TrainRunResult Run);

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
    Spread Dev, Spread Test, Spread TrainSeconds, Spread TrainingMemoryMb, Spread MeanEffectiveRank, IReadOnlyList<TrainRunResult> Runs)
{
    /// <summary>The learning rate every seed trained at.</summary>
    public double LearningRate { get; init; }
    /// <summary>The candidates of the dev-set selection that chose <see cref="LearningRate"/> (empty when it was given).</summary>
    public IReadOnlyList<LearningRateTrial> LearningRateSearch { get; init; } = [];
}

/// <summary>
/// <c>peft compare</c> (and the demo): trains each method over each seed with <see cref="TrainWorkflow"/>, then writes
/// <c>comparison.md</c> / <c>comparison.json</c>, a bar chart of the primary metric, the loss curves, and the per-layer
/// effective rank of ΔW per method (the Dual LoRA paper's Fig. 3). Every run's settings are checked before the first
/// run starts; when a run fails or is interrupted, the table of the runs that finished is written before the error is
/// passed on.
/// </summary>
public static class CompareWorkflow
{
    /// <summary>
    /// Runs the comparison; <paramref name="observerFor"/> gives each run's observer by its label ("lora", "lora (seed 43)"),
    /// in run order (methods × seeds).
    /// </summary>
    public static IReadOnlyList<MethodComparison> Run(CompareSettings settings, Func<string, ITrainingObserver?> observerFor, Action<string>? warn = null,
        CancellationToken cancel = default) => Run(settings, observerFor, warn, cancel, claimed: null);

    /// <summary>As the public overload; <paramref name="claimed"/>: the caller already holds the output folder (an ablation writing its own report there).</summary>
    internal static IReadOnlyList<MethodComparison> Run(CompareSettings settings, Func<string, ITrainingObserver?> observerFor, Action<string>? warn,
        CancellationToken cancel, OutputFolder? claimed)
    {
        if (settings.Runs.Count == 0) throw new PeftSharpException("a comparison needs at least one method");
        if (settings.Seeds.Count == 0) throw new PeftSharpException("a comparison needs at least one seed");
        if (settings.Runs.GroupBy(r => r.Name).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
            throw new PeftSharpException($"a comparison names '{duplicate.Key}' twice");
        if (settings.LearningRateGrid.Any(lr => !(lr > 0) || double.IsInfinity(lr)))
            throw new InvalidOptionException(nameof(CompareSettings), nameof(CompareSettings.LearningRateGrid), "positive learning rates", string.Join(", ", settings.LearningRateGrid));
        bool selects = settings.LearningRateGrid.Count > 0 && settings.Runs.Any(r => r.LearningRate is null);
        if (selects && settings.Base.EvalDataPath is null)
            throw new InvalidOptionException(nameof(TrainSettings), nameof(TrainSettings.EvalDataPath), "evaluation data, to select learning rates on", null);
        foreach (var method in settings.Runs) // bad options fail before the output folder is touched
            RunSettings(settings, method, settings.Seeds[0], method.LearningRate ?? settings.Base.Trainer.LearningRate, settings.OutputDirectory).Validate();
        using var output = claimed is null
            ? OutputFolder.Claim(settings.OutputDirectory, nameof(settings.OutputDirectory), settings.Base.Inputs, acceptExisting: settings.Base.Overwrite)
            : null;

        TrainRunResult Train(MethodRun method, int seed, double learningRate, string folder, string label)
        {
            cancel.ThrowIfCancellationRequested();
            var result = TrainWorkflow.Run(RunSettings(settings, method, seed, learningRate, folder), observerFor(label), warn, cancel);
            if (result.Train.Interrupted) throw new OperationCanceledException($"interrupted during {method.Name}");
            return result;
        }

        var comparisons = new List<MethodComparison>();
        var runs = new List<TrainRunResult>();
        var trials = new List<LearningRateTrial>();
        try
        {
            foreach (var method in settings.Runs)
            {
                (runs, trials) = ([], []);
                double learningRate = method.LearningRate ?? settings.Base.Trainer.LearningRate;
                TrainRunResult? firstSeed = null;
                if (method.LearningRate is null && settings.LearningRateGrid.Count > 0)
                {
                    var candidates = settings.LearningRateGrid.Select(lr => (lr, Run: Train(method, settings.Seeds[0], lr,
                        Path.Combine(settings.OutputDirectory, method.Name, "lr-search", $"lr-{FormatRate(lr)}"), $"{method.Name} (lr {FormatRate(lr)})"))).ToList();
                    trials = candidates.Select(c => new LearningRateTrial(c.lr, DevMetric(c.Run), c.Run)).ToList();
                    (learningRate, firstSeed) = candidates[BestTrial(trials, candidates[0].Run.Train.PrimaryMetric)];
                }
                foreach (var seed in settings.Seeds)
                {
                    if (firstSeed is not null && seed == settings.Seeds[0]) { runs.Add(firstSeed); continue; } // the selection already trained it
                    var folder = Path.Combine(settings.OutputDirectory, method.Name, settings.Seeds.Count > 1 ? $"seed-{seed}" : "");
                    runs.Add(Train(method, seed, learningRate, folder, settings.Seeds.Count > 1 ? $"{method.Name} (seed {seed})" : method.Name));
                }
                comparisons.Add(Summarise(method.Name, runs) with { LearningRateSearch = trials });
                runs = [];
            }
        }
        catch (Exception e) when (e is PeftSharpException or OperationCanceledException && (comparisons.Count > 0 || runs.Count > 0))
        {
            var finished = runs.Count > 0 ? [.. comparisons, Summarise(runs[0].Method, runs) with { LearningRateSearch = trials }] : comparisons;
            Write(settings.OutputDirectory, finished);
            warn?.Invoke($"the comparison stopped early; the table of the {finished.Sum(c => c.Runs.Count)} finished run(s) is in {Path.Combine(settings.OutputDirectory, "comparison.md")}");
            throw;
        }
        Write(settings.OutputDirectory, comparisons);
        return comparisons;
    }

    /// <summary>The settings of one run: the shared ones with the method's adapter, the learning rate, the seed and its own folder.</summary>
    private static TrainSettings RunSettings(CompareSettings settings, MethodRun method, int seed, double learningRate, string folder) => settings.Base with
    {
        OutputDirectory = folder,
        Adapter = method.Adapter,
        Trainer = settings.Base.Trainer with { OutputDirectory = folder, Seed = seed, LearningRate = learningRate },
    };

    /// <summary>The primary dev metric of a run (NaN when it has none).</summary>
    private static double DevMetric(TrainRunResult run) =>
        run.Train.PrimaryMetric is { } m && run.EvalMetrics is { } e && e.TryGetValue(m, out var v) ? v : double.NaN;

    /// <summary>Whether a smaller value of <paramref name="metric"/> is better (losses, perplexity).</summary>
    internal static bool LowerIsBetter(string? metric) => metric is not null && (metric.Contains("loss", StringComparison.Ordinal) || metric == "perplexity");

    /// <summary>The index of the best trial: the best dev metric, non-finite ones last, ties to the earlier candidate.</summary>
    internal static int BestTrial(IReadOnlyList<LearningRateTrial> trials, string? metric)
    {
        double sign = LowerIsBetter(metric) ? -1 : 1;
        int best = 0;
        for (int i = 1; i < trials.Count; i++)
            if (double.IsFinite(trials[i].DevMetric) && (!double.IsFinite(trials[best].DevMetric) || sign * trials[i].DevMetric > sign * trials[best].DevMetric))
                best = i;
        return best;
    }

    /// <summary>A learning rate as short text: 0.005 → 5e-3, 0.0003 → 3e-4.</summary>
    public static string FormatRate(double rate) => rate.ToString("0.##e0", CultureInfo.InvariantCulture);

    private static MethodComparison Summarise(string method, IReadOnlyList<TrainRunResult> runs)
    {
        var metric = runs[0].Train.PrimaryMetric;
        double Metric(IReadOnlyDictionary<string, double>? m) => metric is not null && m is not null && m.TryGetValue(metric, out var v) ? v : double.NaN;
        return new MethodComparison(method, runs[0].TrainableParameters, runs[0].TrainablePercent, metric,
            Spread.Of(runs.Select(r => Metric(r.EvalMetrics))), Spread.Of(runs.Select(r => Metric(r.TestMetrics))),
            Spread.Of(runs.Select(r => r.Train.TrainTime.TotalSeconds)), Spread.Of(runs.Select(r => r.Train.TrainingMemoryBytes / 1048576.0)),
            Spread.Of(runs.Where(r => r.EffectiveRanks.Count > 0).Select(r => r.EffectiveRanks.Average(x => (double)x.Rank))), runs)
        {
            LearningRate = runs[0].Settings?.Trainer.LearningRate ?? double.NaN, // every seed of a method trains at the same rate
        };
    }

    /// <summary>Fractions (accuracy, F1, BLEU, …) are shown ×100; metrics on their own scale (loss, perplexity, NIST, CIDEr) as they are.</summary>
    internal static double DisplayScale(string? metric) => metric is "loss" or "perplexity" or "nist" or "cider" ? 1 : 100;

    /// <summary>The comparison as a Markdown table (also printed by the CLI), with the number of examples its metrics are over.</summary>
    public static string Table(IReadOnlyList<MethodComparison> comparisons)
    {
        var metric = comparisons.Select(c => c.Metric).FirstOrDefault(m => m is not null) ?? "metric";
        double scale = DisplayScale(metric);
        var text = new StringBuilder();
        text.AppendLine($"| method | trainable params | trainable % | lr | dev {metric}{(scale == 100 ? " (%)" : "")} | test {metric}{(scale == 100 ? " (%)" : "")} | train time (s) | training memory (MB) | mean effective rank of ΔW |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var c in comparisons)
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {c.Method} | {c.TrainableParameters:N0} | {c.TrainablePercent:F2} | {FormatRate(c.LearningRate)}{(c.LearningRateSearch.Count > 0 ? " *" : "")} | {c.Dev.Format(scale)} | {c.Test.Format(scale)} | {c.TrainSeconds.Format(1, "F1")} | {c.TrainingMemoryMb.Format(1, "F0")} | {c.MeanEffectiveRank.Format(1, "F1")} |"));
        var sizes = new[] { ("dev", comparisons[0].Runs[0].EvalExamples), ("test", comparisons[0].Runs[0].TestExamples) }
            .Where(s => s.Item2 is not null).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Item1} {s.Item2:N0} examples")).ToList();
        if (sizes.Count > 0) text.AppendLine().AppendLine($"{metric} over {string.Join(", ", sizes)}.");
        if (comparisons.Any(c => c.LearningRateSearch.Count > 0)) text.AppendLine().AppendLine(SearchNote(comparisons, scale));
        return text.ToString();
    }

    /// <summary>The footnote of the table's selected learning rates: every candidate's dev score.</summary>
    internal static string SearchNote(IReadOnlyList<MethodComparison> comparisons, double scale)
    {
        string Score(double v) => double.IsFinite(v) ? (v * scale).ToString("F2", CultureInfo.InvariantCulture) : "n/a";
        var searches = comparisons.Where(c => c.LearningRateSearch.Count > 0)
            .Select(c => $"{c.Method} {string.Join(", ", c.LearningRateSearch.Select(t => $"{FormatRate(t.LearningRate)} → {Score(t.DevMetric)}"))}");
        return $"\\* learning rate chosen on dev with the first seed; dev score per candidate: {string.Join("; ", searches)}. " +
            "The dev column includes the choosing seed (optimistic); test plays no part in the choice.";
    }

    private static void Write(string directory, IReadOnlyList<MethodComparison> comparisons)
    {
        AtomicFile.WriteAllText(Path.Combine(directory, "comparison.md"), Table(comparisons));
        var json = new JsonArray(comparisons.Select(c => (JsonNode?)new JsonObject
        {
            ["method"] = c.Method,
            ["learning_rate"] = c.LearningRate,
            ["learning_rate_search"] = SearchJson(c),
            ["trainable_parameters"] = c.TrainableParameters,
            ["trainable_percent"] = c.TrainablePercent,
            ["metric"] = c.Metric,
            ["dev"] = Node(c.Dev), ["test"] = Node(c.Test),
            ["dev_examples"] = c.Runs[0].EvalExamples, ["test_examples"] = c.Runs[0].TestExamples,
            ["train_seconds"] = Node(c.TrainSeconds), ["training_memory_mb"] = Node(c.TrainingMemoryMb),
            ["mean_effective_rank"] = Node(c.MeanEffectiveRank),
            ["effective_rank_per_layer"] = new JsonObject(c.Runs[0].EffectiveRanks.Select(r => KeyValuePair.Create(r.Path, (JsonNode?)r.Rank))),
        }).ToArray());
        AtomicFile.WriteAllText(Path.Combine(directory, "comparison.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        ComparisonPlots.Write(directory, comparisons);
    }

    /// <summary>The learning-rate candidates of a comparison row and their dev scores, as JSON.</summary>
    internal static JsonArray SearchJson(MethodComparison c) => new(c.LearningRateSearch.Select(t => (JsonNode?)new JsonObject
    {
        ["learning_rate"] = t.LearningRate,
        ["dev"] = double.IsFinite(t.DevMetric) ? t.DevMetric : null,
    }).ToArray());

    /// <summary>Mean, standard deviation and number of runs as JSON (null for a value that is not finite).</summary>
    internal static JsonObject Node(Spread s) => new()
    {
        ["mean"] = double.IsFinite(s.Mean) ? s.Mean : null,
        ["std"] = double.IsFinite(s.Std) ? s.Std : null,
        ["runs"] = s.Count,
    };
}
