namespace PeftSharp.Data;

/// <summary>
/// Reads E2E NLG data in its two layouts:
/// <list type="bullet">
/// <item>the official challenge CSV (<c>*.csv</c>): a header with an <c>mr</c> column and, except in the
/// unreferenced test set, a <c>ref</c> column (names matched ignoring case), RFC 4180 quoting;</item>
/// <item>the LoRA repository's text files (any other extension): one <c>MR||reference</c> pair a line,
/// the line trimmed as the reference script does.</item>
/// </list>
/// An MR appears once per reference. The MR text is kept as the file has it (the LoRA files carry
/// a rewritten, pre-tokenized form such as <c>name : Blue Spice | Type : coffee shop</c>; the CSV
/// has <c>name[Blue Spice], eatType[coffee shop]</c>).
/// </summary>
public static class E2EReader
{
    /// <summary>Training pairs, one per (MR, reference) row, in file order.</summary>
    public static IReadOnlyList<E2EExample> ReadPairs(string path)
    {
        using var stream = DataFile.Open(path);
        return ReadPairs(stream, path);
    }

    internal static IReadOnlyList<E2EExample> ReadPairs(Stream stream, string name)
    {
        var rows = ReadRows(stream, name);
        if (rows.Any(r => r.Reference is null))
            throw new PeftSharpException($"{name}: no 'ref' column; training needs references (this looks like the unreferenced test set)");
        return rows.Select(r => new E2EExample(r.MeaningRepresentation, r.Reference!)).ToList();
    }

    /// <summary>
    /// Evaluation items: one per distinct MR, in order of first appearance, with all its references
    /// in file order (empty when the file has no references).
    /// </summary>
    public static IReadOnlyList<GenerationExample> ReadGroups(string path)
    {
        using var stream = DataFile.Open(path);
        return ReadGroups(stream, path);
    }

    internal static IReadOnlyList<GenerationExample> ReadGroups(Stream stream, string name)
    {
        var groups = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var row in ReadRows(stream, name))
        {
            if (!groups.TryGetValue(row.MeaningRepresentation, out var references))
            {
                groups[row.MeaningRepresentation] = references = [];
                order.Add(row.MeaningRepresentation);
            }
            if (row.Reference is not null) references.Add(row.Reference);
        }
        return order.Select(mr => new GenerationExample(mr, groups[mr])).ToList();
    }

    private readonly record struct Row(string MeaningRepresentation, string? Reference);

    private static List<Row> ReadRows(Stream stream, string name)
    {
        bool csv = name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
        var rows = csv ? ReadCsv(stream, name) : ReadText(stream, name);
        if (rows.Count == 0) throw DataFile.Empty(name, "E2E rows");
        return rows;
    }

    private static List<Row> ReadCsv(Stream stream, string name)
    {
        var rows = new List<Row>();
        int mr = -1, reference = -1, columns = 0;
        foreach (var (line, fields) in CsvRecords.Read(stream, name))
        {
            if (columns == 0)
            {
                columns = fields.Count;
                mr = fields.FindIndex(f => f.Trim().Equals("mr", StringComparison.OrdinalIgnoreCase));
                reference = fields.FindIndex(f => f.Trim().Equals("ref", StringComparison.OrdinalIgnoreCase));
                if (mr < 0)
                    throw DataFile.Error(name, line, $"header has no 'mr' column (has: {string.Join(", ", fields.Take(8).Select(f => DataFile.Quote(f)))}); expected the E2E CSV header \"mr,ref\"");
                continue;
            }
            if (fields.Count != columns)
                throw DataFile.Error(name, line, $"expected {columns} fields as in the header, got {fields.Count}");
            rows.Add(new Row(NonEmpty(fields[mr], "mr", name, line), reference < 0 ? null : NonEmpty(fields[reference], "ref", name, line)));
        }
        return rows;
    }

    private static List<Row> ReadText(Stream stream, string name)
    {
        var rows = new List<Row>();
        foreach (var (line, raw) in DataFile.ReadLines(stream, name))
        {
            var text = raw.Trim();
            if (text.Length == 0) continue;
            int separator = text.IndexOf("||", StringComparison.Ordinal);
            if (separator < 0)
                throw DataFile.Error(name, line, $"expected 'MR||reference', got {DataFile.Quote(text)}");
            if (text.IndexOf("||", separator + 2, StringComparison.Ordinal) >= 0)
                throw DataFile.Error(name, line, "more than one '||' separator; expected 'MR||reference'");
            rows.Add(new Row(NonEmpty(text[..separator], "mr", name, line), NonEmpty(text[(separator + 2)..], "ref", name, line)));
        }
        return rows;
    }

    private static string NonEmpty(string value, string field, string name, int line) =>
        value.Trim().Length > 0 ? value : throw DataFile.FieldError(DataFile.At(name, line), field, "a non-empty text", DataFile.Quote(value));
}
