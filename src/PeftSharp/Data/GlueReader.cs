using System.Globalization;

namespace PeftSharp.Data;

/// <summary>
/// Reads GLUE data: the official TSV files of every task (train, dev, dev_matched/mismatched,
/// test; labeled or not) and HuggingFace parquet exports (<c>*.parquet</c>). Both give the same
/// <see cref="ClassificationExample"/>s: texts, and the label as the class index in the task's HF
/// label order (the score for STS-B), <c>null</c> for test rows.
/// </summary>
/// <remarks>
/// TSV files are read like HF's <c>glue</c> script reads them: tab-separated, no quoting (quote
/// characters are part of the text), columns found by header name (CoLA train/dev have no header),
/// labels given as names or as class indices. A row with fewer fields than the text and label
/// columns need, or with an empty label, is skipped as HF skips it (QQP's train file has such
/// rows); the number skipped is reported through <c>warn</c>. Any other bad value is an error.
/// </remarks>
public static class GlueReader
{
    /// <summary>Reads a GLUE file of the named task; see <see cref="GlueTask.Get"/> for names.</summary>
    public static IReadOnlyList<ClassificationExample> Read(string task, string path, Action<string>? warn = null) =>
        Read(GlueTask.Get(task), path, warn);

    /// <summary>Reads a GLUE TSV file, or a parquet export when the path ends in <c>.parquet</c>.</summary>
    public static IReadOnlyList<ClassificationExample> Read(GlueTask task, string path, Action<string>? warn = null)
    {
        if (path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase)) return GlueParquet.Read(task, path);
        using var stream = DataFile.Open(path);
        return ReadTsv(task, stream, path, warn);
    }

    internal static IReadOnlyList<ClassificationExample> ReadTsv(GlueTask task, Stream stream, string name, Action<string>? warn)
    {
        var examples = new List<ClassificationExample>();
        int[]? textIndex = null;
        int labelIndex = -1;
        int skipped = 0, firstSkipped = 0;
        foreach (var (number, line) in DataFile.ReadLines(stream, name))
        {
            if (line.Length == 0) continue;
            var fields = line.Split('\t');
            if (textIndex is null)
            {
                bool headerless = task.HeaderlessTsvColumns is not null && !fields.Contains(task.TsvTextColumns[0]);
                var header = headerless ? task.HeaderlessTsvColumns! : fields;
                textIndex = task.TsvTextColumns.Select(c => Column(header, c, task, name, number)).ToArray();
                labelIndex = Array.IndexOf(header, task.TsvLabelColumn);
                if (!headerless) continue;
            }
            int needed = Math.Max(textIndex.Max(), labelIndex) + 1;
            if (fields.Length < needed || labelIndex >= 0 && fields[labelIndex].Length == 0)
            {
                if (skipped++ == 0) firstSkipped = number;
                continue;
            }
            double? label = labelIndex < 0 ? null : ParseLabel(task, fields[labelIndex], DataFile.At(name, number));
            examples.Add(new ClassificationExample(fields[textIndex[0]], textIndex.Length > 1 ? fields[textIndex[1]] : null, label));
        }
        if (textIndex is null) throw DataFile.Empty(name, "header or rows");
        if (skipped > 0)
            warn?.Invoke($"{name}: skipped {skipped} row(s) with missing fields (first at line {firstSkipped}), as HuggingFace's glue script does");
        if (examples.Count == 0) throw DataFile.Empty(name, $"usable {task.Name} rows");
        return examples;
    }

    private static int Column(string[] header, string column, GlueTask task, string name, int line)
    {
        int index = Array.IndexOf(header, column);
        return index >= 0 ? index : throw DataFile.Error(name, line,
            $"header has no column '{column}' (has: {string.Join(", ", header.Take(12).Select(h => DataFile.Quote(h)))}); is this a {task.Name} TSV file?");
    }

    internal static double ParseLabel(GlueTask task, string value, string where)
    {
        var field = task.TsvLabelColumn;
        if (task.IsRegression)
        {
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var score) || !double.IsFinite(score))
                throw DataFile.FieldError(where, field, "a number", DataFile.Quote(value));
            return CheckScore(task, score, where, field);
        }
        int index = Array.IndexOf(task.Labels, value);
        if (index >= 0) return index;
        string expected = $"one of {string.Join(", ", task.Labels)} or a class index in [0, {task.Labels.Length})";
        if (!int.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out index)
            || index < 0 || index >= task.Labels.Length)
            throw DataFile.FieldError(where, field, expected, DataFile.Quote(value));
        return index;
    }

    /// <summary>Checks a regression score and rounds it to float32 as HF stores STS-B labels.</summary>
    internal static double CheckScore(GlueTask task, double score, string where, string field)
    {
        if (score < task.ScoreRange.Min || score > task.ScoreRange.Max)
            throw DataFile.FieldError(where, field, $"a score in [{task.ScoreRange.Min}, {task.ScoreRange.Max}]",
                score.ToString(CultureInfo.InvariantCulture));
        return (float)score;
    }
}
