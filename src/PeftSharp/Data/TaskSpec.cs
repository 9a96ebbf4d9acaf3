namespace PeftSharp.Data;

/// <summary>
/// What the data is and how it is trained and evaluated: causal-lm, classification, glue/&lt;task&gt;,
/// commonsense[/&lt;task&gt;], e2e — or detected from the data file.
/// </summary>
public sealed record TaskSpec(TaskKind Kind, string? SubTask)
{
    /// <summary>Plain causal language modelling (text, prompt/completion or token-id rows).</summary>
    public static TaskSpec CausalLm { get; } = new(TaskKind.CausalLm, null);

    /// <summary>Sequence classification with the data's own labels (class indices or names).</summary>
    public static TaskSpec Classification { get; } = new(TaskKind.Classification, null);

    /// <summary>Sequence regression: classification rows whose label is a number to predict (a one-output head, MSE).</summary>
    public static TaskSpec Regression { get; } = new(TaskKind.Regression, null);

    /// <summary>The task names <see cref="Parse"/> accepts, for help texts and errors.</summary>
    public const string Names = "auto | causal-lm | classification | regression | glue/<task> | commonsense[/<task>] | e2e";

    /// <summary>Parses a task name; "auto" (or null) detects it from <paramref name="dataPath"/>.</summary>
    public static TaskSpec Parse(string? task, string dataPath)
    {
        task ??= "auto";
        var (head, sub) = task.Split('/', 2) is [var h, var s] ? (h, (string?)s) : (task, null);
        return head.ToLowerInvariant() switch
        {
            "auto" => Detect(dataPath),
            "causal-lm" or "lm" => new(TaskKind.CausalLm, null),
            "classification" => Classification,
            "regression" => Regression,
            "glue" when sub is not null => new(TaskKind.Glue, GlueTask.Get(sub).Name),
            "commonsense" => new(TaskKind.Commonsense, sub is null ? null : CommonsenseTask.Get(sub).Name),
            "e2e" => new(TaskKind.E2E, null),
            _ => throw new PeftSharpException($"task '{task}' is not one of {Names.Replace(" |", ",")}"),
        };
    }

    /// <summary>Guesses the task from the data file: .jsonl rows, .txt text, .csv E2E, .json commonsense.</summary>
    public static TaskSpec Detect(string path)
    {
        if (Directory.Exists(path)) throw new PeftSharpException($"{path} is a folder: give the task (e.g. glue/rte) so PeftSharp knows how to read it");
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".jsonl" => JsonlReader.FormatOf(path) == JsonlFormat.Classification ? Classification : CausalLm,
            ".txt" => new(TaskKind.CausalLm, null),
            ".csv" => new(TaskKind.E2E, null),
            ".json" => new(TaskKind.Commonsense, null),
            ".tsv" or ".parquet" => throw new PeftSharpException($"{path}: GLUE files need the task glue/<task>"),
            var ext => throw new PeftSharpException($"{path}: cannot tell the format from '{ext}'; give the task"),
        };
    }

    /// <summary>Whether a sequence classifier (a classification or regression head) is trained.</summary>
    public bool IsClassification => Kind is TaskKind.Classification or TaskKind.Glue or TaskKind.Regression;
}
