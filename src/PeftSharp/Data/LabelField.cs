using System.Globalization;

namespace PeftSharp.Data;

/// <summary>
/// The <c>label</c> field of a classification row: a class index (<c>2</c>), a class name (<c>"pos"</c>), or a score for
/// regression. What is accepted follows the task's declared label space, never a guess from the value itself, so one
/// stray <c>1.5</c> or <c>-1</c> is an error at its line instead of turning a 4-class task into regression.
/// </summary>
internal static class LabelField
{
    /// <summary>The row's label as (class index or score, class name as written); a name is resolved to its index when the names are known.</summary>
    public static (double? Value, string? Name) Read(JsonRow row, JsonlOptions options)
    {
        var names = options.LabelNames;
        int? count = names?.Count ?? (options.NumLabels is > 1 and var n ? n : null);
        if (row.IsString("label"))
        {
            var name = row.String("label");
            if (options.NumLabels == 1) throw row.Wrong("label", "a number (the task is regression)", "string " + DataFile.Quote(name));
            if (names is null)
                return count is null ? (null, name) : throw row.Wrong("label", $"a class index in [0, {count}){From(options)}, which names no classes", "string " + DataFile.Quote(name));
            int index = Find(names, name);
            return index >= 0 ? (index, name) : throw row.Wrong("label", $"one of the {names.Count} class names ({Listed(names)}){From(options)}", "string " + DataFile.Quote(name));
        }
        var value = row.Number("label");
        if (options.NumLabels == 1) return (value, null);
        if (value == Math.Floor(value) && value >= 0 && (count is null || value < count)) return (value, null);
        var got = "number " + value.ToString(CultureInfo.InvariantCulture);
        if (count is null) throw row.Wrong("label", "a class index (an integer ≥ 0) or a class name; a numeric target needs the regression task", got);
        throw row.Wrong("label", $"a class index in [0, {count}){(names is null ? "" : $" or one of the class names ({Listed(names)})")}{From(options)}", got);
    }

    private static string From(JsonlOptions options) => options.ClassesFrom is { } source ? $" (the classes of {source})" : "";

    private static int Find(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
            if (names[i] == name) return i;
        return -1;
    }

    /// <summary>"'neg', 'pos'", cut after a few names.</summary>
    public static string Listed(IReadOnlyList<string> names, int max = 6) =>
        string.Join(", ", names.Take(max).Select(n => $"'{n}'")) + (names.Count > max ? $", … ({names.Count} in all)" : "");
}
