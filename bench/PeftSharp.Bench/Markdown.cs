using System.Globalization;
using System.Text;

namespace PeftSharp.Bench;

/// <summary>The report's formatting: tables, numbers, ratios and target lines.</summary>
internal static class Markdown
{
    /// <summary>A table whose first column is left-aligned and the others right-aligned.</summary>
    public static string Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var text = new StringBuilder();
        text.AppendLine($"| {string.Join(" | ", header)} |");
        text.AppendLine($"|---|{string.Concat(Enumerable.Repeat("---:|", header.Count - 1))}");
        foreach (var row in rows) text.AppendLine($"| {string.Join(" | ", row)} |");
        return text.ToString();
    }

    public static string Number(double value, int decimals) => value.ToString($"F{decimals}", CultureInfo.InvariantCulture);
    public static string Ratio(double value) => double.IsFinite(value) ? value.ToString("F2", CultureInfo.InvariantCulture) + "×" : "–";
    public static string Percent(double fraction) => (100 * fraction).ToString("F1", CultureInfo.InvariantCulture) + " %";
    public static string Megabytes(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture);
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>"- Target: … — **holds** (measured)." with an optional reason.</summary>
    public static string Target(string target, bool holds, string measured, string? reason = null) =>
        $"- Target: {target} — **{(holds ? "holds" : "does not hold")}** ({measured}).{(reason is null ? "" : " " + reason)}";
}

/// <summary>Progress lines on stderr (the report goes to stdout and RESULTS.md).</summary>
internal static class Progress
{
    public static void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
}
