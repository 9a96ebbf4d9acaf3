namespace PeftSharp.Cli.Options;

/// <summary>Help texts that say which files and JSONL fields the data options take.</summary>
internal static class DataHelp
{
    private const string Jsonl =
        "JSONL rows: {\"text\"} or {\"prompt\", \"completion\"} or {\"input_ids\", \"labels\"?} (causal LM); " +
        "{\"sentence\", \"label\"} or {\"sentence1\", \"sentence2\", \"label\"} (classification: label a class index or a class name; " +
        "classes from labels.json next to the file when present, a JSON list of names)";

    public const string Training = "Training data: .jsonl (" + Jsonl + "), .txt (one text per line), .csv (E2E), .json (commonsense), or a GLUE file/folder";

    public const string Evaluation = "Evaluation data, in the training data's formats: .jsonl (" + Jsonl + "), .txt, .csv (E2E), .json (commonsense), a GLUE file";

    public const string Task = PeftSharp.Data.TaskSpec.Names + " (auto: from the file; regression: JSONL classification rows with a numeric label to predict)";
}
