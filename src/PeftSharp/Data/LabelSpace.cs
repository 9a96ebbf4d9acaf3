namespace PeftSharp.Data;

/// <summary>The classes of a classification dataset that declares none (no labels.json, no adapter): taken from its labels.</summary>
internal static class LabelSpace
{
    /// <summary>
    /// Class names written in the rows become the classes, in ordinal order (as HF datasets' class_encode_column), and
    /// every row gets its index; class indices give max + 1 classes (at least 2: one output would be regression).
    /// Returns the rows and the reader options that hold every other file to the same classes.
    /// </summary>
    public static (IReadOnlyList<ClassificationExample> Rows, JsonlOptions Options) From(IReadOnlyList<ClassificationExample> rows, string path)
    {
        var labelled = rows.Where(r => r.IsLabelled).ToList();
        var options = new JsonlOptions { ClassesFrom = path };
        if (labelled.Count == 0) return (rows, new JsonlOptions());
        if (labelled[0].LabelName is null) return (rows, options with { NumLabels = Math.Max(2, (int)labelled.Max(r => r.Label!.Value) + 1) });
        var names = labelled.Select(r => r.LabelName!).Distinct().Order(StringComparer.Ordinal).ToList();
        var index = names.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => (double)p.i, StringComparer.Ordinal);
        return (rows.Select(r => r.LabelName is { } name ? r with { Label = index[name] } : r).ToList(), options with { LabelNames = names });
    }
}
