namespace PeftSharp.Data;

/// <summary>
/// One GLUE task as HuggingFace's <c>glue</c> dataset defines it: its text columns in the official
/// TSV files and in the HF parquet exports, its label column, and its label set in HF order
/// (the class index is the position in <see cref="Labels"/>). STS-B is the one regression task.
/// </summary>
/// <param name="Name">HF config name: cola, sst2, mrpc, qqp, stsb, mnli, qnli, rte, wnli.</param>
/// <param name="TsvTextColumns">Header names of the one or two text columns in the official TSV.</param>
/// <param name="ParquetTextColumns">Column names of the same texts in the HF parquet export.</param>
/// <param name="TsvLabelColumn">Header name of the label column in labeled TSV files.</param>
/// <param name="Labels">Class names in HF order; empty for regression.</param>
/// <param name="IsRegression">True for STS-B (a similarity score in [0, 5]).</param>
public sealed record GlueTask(
    string Name,
    string[] TsvTextColumns,
    string[] ParquetTextColumns,
    string TsvLabelColumn,
    string[] Labels,
    bool IsRegression)
{
    /// <summary>Size of the classification head: the number of classes, or 1 for regression.</summary>
    public int NumLabels => IsRegression ? 1 : Labels.Length;

    /// <summary>Column names of TSV files that have no header (CoLA train/dev), else null.</summary>
    internal string[]? HeaderlessTsvColumns { get; init; }

    /// <summary>Valid label values of a regression task.</summary>
    internal (double Min, double Max) ScoreRange { get; init; } = (double.NegativeInfinity, double.PositiveInfinity);

    /// <summary>The eight GLUE tasks plus WNLI, keyed by HF config name.</summary>
    public static IReadOnlyList<GlueTask> All { get; } =
    [
        new("cola", ["sentence"], ["sentence"], "label", ["unacceptable", "acceptable"], false)
        {
            // CoLA train/dev: source, label, original annotation, sentence; the test file has a header.
            HeaderlessTsvColumns = ["source", "label", "original_label", "sentence"],
        },
        new("sst2", ["sentence"], ["sentence"], "label", ["negative", "positive"], false),
        new("mrpc", ["#1 String", "#2 String"], ["sentence1", "sentence2"], "Quality", ["not_equivalent", "equivalent"], false),
        new("qqp", ["question1", "question2"], ["question1", "question2"], "is_duplicate", ["not_duplicate", "duplicate"], false),
        new("stsb", ["sentence1", "sentence2"], ["sentence1", "sentence2"], "score", [], true) { ScoreRange = (0, 5) },
        new("mnli", ["sentence1", "sentence2"], ["premise", "hypothesis"], "gold_label", ["entailment", "neutral", "contradiction"], false),
        new("qnli", ["question", "sentence"], ["question", "sentence"], "label", ["entailment", "not_entailment"], false),
        new("rte", ["sentence1", "sentence2"], ["sentence1", "sentence2"], "label", ["entailment", "not_entailment"], false),
        new("wnli", ["sentence1", "sentence2"], ["sentence1", "sentence2"], "label", ["not_entailment", "entailment"], false),
    ];

    /// <summary>
    /// Looks a task up by name, ignoring case, '-' and '_' ("SST-2", "sts-b", "MNLI",
    /// "mnli_matched" and "mnli_mismatched" are accepted).
    /// </summary>
    public static GlueTask Get(string name)
    {
        var key = name.Replace("-", "").Replace("_", "").ToLowerInvariant();
        if (key is "mnlimatched" or "mnlimismatched" or "mnlim" or "mnlimm") key = "mnli";
        return All.FirstOrDefault(t => t.Name == key)
            ?? throw new PeftSharpException($"unknown GLUE task '{name}'; expected one of {string.Join(", ", All.Select(t => t.Name))}");
    }
}
