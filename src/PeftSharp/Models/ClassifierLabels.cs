using System.Globalization;
using System.Text.Json.Nodes;

namespace PeftSharp.Models;

/// <summary>A config that can describe a sequence classifier: HF's <c>num_labels</c>, <c>id2label</c>, <c>problem_type</c>.</summary>
internal interface IClassifierConfig
{
    int NumLabels { get; }
    IReadOnlyDictionary<int, string>? Id2Label { get; }
    string? ProblemType { get; }

    /// <summary>The same config with <paramref name="numLabels"/> outputs named <paramref name="names"/> (null: no names), problem_type regression for one output.</summary>
    ModelConfig WithNumLabels(int numLabels, IReadOnlyList<string>? names);
}

/// <summary>
/// Checking and writing the label fields every architecture's config.json may carry (they are read as the records'
/// properties; HF's rule that id2label, when present, decides num_labels is applied in <see cref="ModelConfig.Parse"/>).
/// </summary>
internal static class ClassifierLabels
{
    public const int DefaultNumLabels = 2;

    /// <summary>HF's id2label for class names in index order (null for none).</summary>
    public static IReadOnlyDictionary<int, string>? Id2Label(IReadOnlyList<string>? names) =>
        names?.Select((name, i) => (name, i)).ToDictionary(p => p.i, p => p.name);

    public static string EffectiveProblemType(IClassifierConfig c) =>
        c.ProblemType ?? (c.NumLabels == 1 ? "regression" : "single_label_classification");

    public static void Validate(IClassifierConfig c, string source)
    {
        if (c.NumLabels <= 0) throw new PeftSharpException($"{source}: 'num_labels' must be positive, got {c.NumLabels}");
        if (c.Id2Label is { } labels && Enumerable.Range(0, labels.Count).FirstOrDefault(i => !labels.ContainsKey(i), -1) is var missing and >= 0)
            throw new PeftSharpException($"{source}: 'id2label' must number its labels 0..{labels.Count - 1}, label {missing} is missing");
        if (c.Id2Label is not null && c.Id2Label.Count != c.NumLabels)
            throw new PeftSharpException($"{source}: 'id2label' has {c.Id2Label.Count} labels but 'num_labels' is {c.NumLabels}");
        if (c.ProblemType is not (null or "regression" or "single_label_classification" or "multi_label_classification"))
            throw new PeftSharpException(
                $"{source}: 'problem_type' '{c.ProblemType}' is not one of regression, single_label_classification, multi_label_classification");
    }

    /// <summary>
    /// Writes id2label / label2id / problem_type as HF does (num_labels is implied by id2label). Unless
    /// <paramref name="always"/>, a config still at HF's defaults (2 labels, no names, no problem type) gets none of them,
    /// so that a language model's config.json stays free of classifier fields.
    /// </summary>
    public static void Write(JsonObject o, IClassifierConfig c, bool always)
    {
        o.Remove("num_labels");
        if (!always && c.NumLabels == DefaultNumLabels && c.Id2Label is null && c.ProblemType is null)
        {
            o.Remove("id2label");
            o.Remove("label2id");
            o.Remove("problem_type");
            return;
        }
        var labels = Enumerable.Range(0, c.NumLabels).Select(i => c.Id2Label is not null && c.Id2Label.TryGetValue(i, out var l) ? l : $"LABEL_{i}").ToList();
        var id2label = new JsonObject();
        var label2id = new JsonObject();
        for (var i = 0; i < labels.Count; i++)
        {
            id2label[i.ToString(CultureInfo.InvariantCulture)] = labels[i];
            label2id[labels[i]] = i;
        }
        o["id2label"] = id2label;
        o["label2id"] = label2id;
        o["problem_type"] = c.ProblemType;
    }
}
