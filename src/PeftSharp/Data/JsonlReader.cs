namespace PeftSharp.Data;

/// <summary>The kind of rows a JSONL file holds; one file holds one kind.</summary>
public enum JsonlFormat
{
    /// <summary><c>{"input_ids": [...], "labels"?: [...]}</c>: pre-tokenized causal LM.</summary>
    TokenIds,
    /// <summary><c>{"text": "..."}</c>: causal LM on the whole text.</summary>
    Text,
    /// <summary><c>{"prompt": "...", "completion": "..."}</c>: causal LM, loss on the completion.</summary>
    PromptCompletion,
    /// <summary><c>{"sentence": "...", "label": n}</c> or <c>{"sentence1": "...", "sentence2": "...", "label": n}</c>; the label is a class index or a class name (<c>"pos"</c>).</summary>
    Classification,
}

/// <summary>Checks a JSONL reader applies beyond the row shape.</summary>
public sealed record JsonlOptions
{
    /// <summary>
    /// Classification rows: the number of classes, labels must be class indices in [0, NumLabels) (or names, with
    /// <see cref="LabelNames"/>); 1 means regression (any finite number). <c>null</c>: labels are class indices (integers
    /// ≥ 0) or class names, one kind in a file.
    /// </summary>
    public int? NumLabels { get; init; }

    /// <summary>Classification rows: the class names; a label is one of them or its index.</summary>
    public IReadOnlyList<string>? LabelNames { get; init; }

    /// <summary>Where the classes come from (a labels.json, "the adapter's head", the training file), named in label errors.</summary>
    public string? ClassesFrom { get; init; }

    /// <summary>Token-id rows: ids in <c>input_ids</c> and <c>labels</c> must be below this.</summary>
    public int? VocabSize { get; init; }
}

/// <summary>The rows of one JSONL file and the format detected from its first row.</summary>
public sealed record JsonlData(string Path, JsonlFormat Format, IReadOnlyList<Example> Examples);

/// <summary>
/// Reads JSON Lines data files. The format is detected from the first row's fields and every
/// later row must have the same shape; a bad row raises <see cref="PeftSharpException"/> naming
/// file, line and field. Blank lines are skipped; fields that belong to no format (e.g. <c>"id"</c>,
/// <c>"attention_mask"</c>) are ignored; <c>"labels": null</c> means "no labels".
/// </summary>
public static class JsonlReader
{
    // Fields that identify each format; a row carrying fields of two formats is an error.
    private static readonly (JsonlFormat Format, string[] Fields)[] Markers =
    [
        (JsonlFormat.TokenIds, ["input_ids", "labels"]),
        (JsonlFormat.PromptCompletion, ["prompt", "completion"]),
        (JsonlFormat.Classification, ["sentence", "sentence1", "sentence2", "label"]),
        (JsonlFormat.Text, ["text"]),
    ];

    /// <summary>Reads and validates a whole JSONL file.</summary>
    public static JsonlData Read(string path, JsonlOptions? options = null)
    {
        using var stream = DataFile.Open(path);
        return Read(stream, path, options);
    }

    /// <summary>The format of a JSONL file, from its first row.</summary>
    public static JsonlFormat FormatOf(string path)
    {
        using var stream = DataFile.Open(path);
        foreach (var (number, text) in DataFile.ReadLines(stream, path))
        {
            if (string.IsNullOrWhiteSpace(text)) continue;
            var row = JsonRow.Parse(text, path, number, out var document);
            using (document) return Detect(row);
        }
        throw DataFile.Empty(path, "JSON rows");
    }

    internal static JsonlData Read(Stream stream, string name, JsonlOptions? options = null)
    {
        options ??= new JsonlOptions();
        if (options.NumLabels is < 1) throw new PeftSharpException($"NumLabels must be at least 1, got {options.NumLabels}");
        if (options.LabelNames is not null && options.NumLabels is { } n && n != options.LabelNames.Count)
            throw new PeftSharpException($"NumLabels ({n}) differs from the number of LabelNames ({options.LabelNames.Count})");
        if (options.VocabSize is < 1) throw new PeftSharpException($"VocabSize must be at least 1, got {options.VocabSize}");
        JsonlFormat? format = null;
        bool? pairs = null, namedLabels = null;
        int firstLine = 0;
        var examples = new List<Example>();
        foreach (var (number, text) in DataFile.ReadLines(stream, name))
        {
            if (string.IsNullOrWhiteSpace(text)) continue;
            var row = JsonRow.Parse(text, name, number, out var document);
            using (document)
            {
                var rowFormat = Detect(row);
                if (format is null) { format = rowFormat; firstLine = number; }
                else if (rowFormat != format)
                    throw DataFile.Error(name, number, $"row has the {Describe(rowFormat)} shape, but line {firstLine} set the file's format to {Describe(format.Value)}; one file holds one format");
                examples.Add(format switch
                {
                    JsonlFormat.TokenIds => ReadTokenIds(row, options.VocabSize),
                    JsonlFormat.Text => new TextExample(NonEmpty(row, "text")),
                    JsonlFormat.PromptCompletion => new PromptCompletionExample(row.String("prompt"), NonEmpty(row, "completion"), row.OptionalStringArray("references")),
                    _ => ReadClassification(row, options, ref pairs, ref namedLabels, firstLine),
                });
            }
        }
        if (format is null) throw DataFile.Empty(name, "JSON rows");
        return new JsonlData(name, format.Value, examples);
    }

    private static JsonlFormat Detect(JsonRow row)
    {
        var found = Markers.Where(m => m.Fields.Any(row.Has)).ToList();
        if (found.Count == 1) return found[0].Format;
        if (found.Count == 0)
            throw DataFile.Error(row.File, row.Line,
                $"no known fields (has: {string.Join(", ", row.FieldNames.Select(n => $"'{n}'"))}); expected {{\"input_ids\", \"labels\"?}}, {{\"text\"}}, {{\"prompt\", \"completion\"}}, {{\"sentence\", \"label\"}} or {{\"sentence1\", \"sentence2\", \"label\"}}");
        var fields = found.Select(m => $"'{m.Fields.First(row.Has)}' ({Describe(m.Format)})");
        throw DataFile.Error(row.File, row.Line, $"fields of different formats in one row: {string.Join(" and ", fields)}; for classification name the text field 'sentence'");
    }

    private static string Describe(JsonlFormat format) => format switch
    {
        JsonlFormat.TokenIds => "input_ids",
        JsonlFormat.Text => "text",
        JsonlFormat.PromptCompletion => "prompt/completion",
        _ => "classification",
    };

    private static string NonEmpty(JsonRow row, string field)
    {
        var value = row.String(field);
        return value.Length > 0 ? value : throw row.Wrong(field, "a non-empty string", "\"\"");
    }

    private static TokenIdsExample ReadTokenIds(JsonRow row, int? vocabSize)
    {
        string idRange = vocabSize is { } v ? $"a token id in [0, {v})" : "a token id ≥ 0";
        bool IsId(int id) => id >= 0 && (vocabSize is not { } v || id < v);
        var ids = row.IntArray("input_ids", "an array of token ids", IsId, idRange);
        if (ids.Length == 0) throw row.Wrong("input_ids", "a non-empty array", "an empty array");
        if (!row.Has("labels") || row.IsNull("labels")) return new TokenIdsExample(ids, null);
        var labels = row.IntArray("labels", "an array of labels", l => l == CausalLmEncoding.IgnoreIndex || IsId(l), $"{idRange} or {CausalLmEncoding.IgnoreIndex}");
        if (labels.Length != ids.Length)
            throw row.Wrong("labels", $"{ids.Length} labels (as many as input_ids)", $"{labels.Length}");
        return new TokenIdsExample(ids, labels);
    }

    private static ClassificationExample ReadClassification(JsonRow row, JsonlOptions options, ref bool? pairs, ref bool? namedLabels, int firstLine)
    {
        bool isPair = row.Has("sentence1") || row.Has("sentence2");
        if (isPair && row.Has("sentence"))
            throw DataFile.Error(row.File, row.Line, "row has both 'sentence' and 'sentence1'/'sentence2'; use one or the other");
        if (pairs is { } expected && expected != isPair)
            throw DataFile.Error(row.File, row.Line, expected
                ? $"missing field 'sentence1'/'sentence2': line {firstLine} holds a sentence pair"
                : $"unexpected 'sentence1'/'sentence2': line {firstLine} holds a single 'sentence'");
        pairs = isPair;
        var text = row.String(isPair ? "sentence1" : "sentence");
        var pair = isPair ? row.String("sentence2") : null;
        var (label, name) = LabelField.Read(row, options);
        if (namedLabels is { } named && named != name is not null)
            throw DataFile.Error(row.File, row.Line, named
                ? $"field 'label' is a number, but line {firstLine} names its class; one file uses class names or class indices, not both"
                : $"field 'label' is a class name, but line {firstLine} gives a class index; one file uses class names or class indices, not both");
        namedLabels = name is not null;
        return new ClassificationExample(text, pair, label, name);
    }
}
