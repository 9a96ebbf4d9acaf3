using System.Text;

namespace PeftSharp.Data;

/// <summary>
/// RFC 4180 CSV records: comma-separated, fields optionally in double quotes, "" inside quotes is
/// a quote, quoted fields may hold commas and line breaks (read back as '\n'). A quote inside an
/// unquoted field is kept as a character (as Python's csv module does); text after a closing quote
/// and an unterminated quote are errors naming the line.
/// </summary>
internal static class CsvRecords
{
    public static IEnumerable<(int Line, List<string> Fields)> Read(Stream stream, string name)
    {
        List<string>? fields = null;
        var field = new StringBuilder();
        bool inQuotes = false;
        int recordLine = 0, quoteLine = 0;
        foreach (var (number, line) in DataFile.ReadLines(stream, name))
        {
            if (!inQuotes)
            {
                if (line.Length == 0) continue; // blank line between records
                fields = [];
                recordLine = number;
            }
            else
            {
                field.Append('\n');
            }
            int i = 0;
            while (true)
            {
                if (inQuotes)
                {
                    int quote = line.IndexOf('"', i);
                    if (quote < 0) { field.Append(line, i, line.Length - i); break; } // field continues on the next line
                    field.Append(line, i, quote - i);
                    if (quote + 1 < line.Length && line[quote + 1] == '"') { field.Append('"'); i = quote + 2; continue; }
                    inQuotes = false;
                    i = quote + 1;
                    if (i < line.Length && line[i] != ',')
                        throw DataFile.Error(name, number, $"malformed CSV: text after a closing quote at column {i + 1}");
                    if (i == line.Length) { fields!.Add(field.ToString()); field.Clear(); break; }
                    fields!.Add(field.ToString()); field.Clear();
                    i++; // past the comma
                    if (i == line.Length) { fields.Add(""); break; }
                    continue;
                }
                if (i < line.Length && line[i] == '"')
                {
                    inQuotes = true;
                    quoteLine = number;
                    i++;
                    continue;
                }
                int comma = line.IndexOf(',', i);
                if (comma < 0) { fields!.Add(line[i..]); break; }
                fields!.Add(line[i..comma]);
                i = comma + 1;
                if (i == line.Length) { fields.Add(""); break; }
            }
            if (!inQuotes) yield return (recordLine, fields!);
        }
        if (inQuotes) throw DataFile.Error(name, quoteLine, "malformed CSV: quoted field never closed");
    }
}
