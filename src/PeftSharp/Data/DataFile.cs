using System.Text;
using PeftSharp.IO;

namespace PeftSharp.Data;

/// <summary>
/// Shared plumbing of the text-based readers: opening a file with a clear error, strict UTF-8
/// line reading (so an invalid byte is reported at its line), and the "file:line: field" messages.
/// </summary>
internal static class DataFile
{
    /// <summary>Longest accepted line (64 MiB). Guards against reading a corrupt multi-gigabyte "line" into memory.</summary>
    public const int MaxLineBytes = 64 << 20;


    public static FileStream Open(string path)
    {
        if (Directory.Exists(path)) throw new PeftSharpException($"{path}: is a directory, expected a data file");
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new PeftSharpException($"{path}: cannot open data file: {e.Message}", e);
        }
    }

    /// <summary>
    /// Physical lines (1-based numbers) of a UTF-8 stream, split on '\n' with a trailing '\r' removed
    /// and a leading byte-order mark skipped. Invalid UTF-8 raises an error naming the line.
    /// </summary>
    public static IEnumerable<(int Number, string Text)> ReadLines(Stream stream, string name, int maxLineBytes = MaxLineBytes)
    {
        var buffer = new byte[1 << 16];
        var line = new MemoryStream();
        int number = 0;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            int start = 0;
            while (start < read)
            {
                int newline = Array.IndexOf(buffer, (byte)'\n', start, read - start);
                int end = newline < 0 ? read : newline;
                if (line.Length + (end - start) > maxLineBytes)
                    throw new PeftSharpException($"{name}:{number + 1}: line longer than {maxLineBytes} bytes; is this really a text data file?");
                line.Write(buffer, start, end - start);
                start = end + 1;
                if (newline < 0) break;
                number++;
                var text = Decode(line, name, number);
                line.SetLength(0);
                yield return (number, text);
            }
        }
        if (line.Length > 0)
        {
            number++;
            yield return (number, Decode(line, name, number));
        }
    }

    /// <summary>Raises an error naming the line and byte of the first invalid UTF-8 sequence, if any.</summary>
    public static void CheckUtf8(ReadOnlySpan<byte> bytes, string name)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes)) return;
        try
        {
            StrictUtf8.Encoding.GetCharCount(bytes);
        }
        catch (DecoderFallbackException e) when (e.Index >= 0 && e.Index < bytes.Length)
        {
            var before = bytes[..e.Index];
            int line = before.Count((byte)'\n') + 1;
            int column = e.Index - (before.LastIndexOf((byte)'\n') + 1) + 1;
            throw Error(name, line, $"invalid UTF-8 at byte {column} of the line");
        }
        throw new PeftSharpException($"{name}: invalid UTF-8");
    }

    private static string Decode(MemoryStream line, string name, int number)
    {
        var bytes = line.GetBuffer().AsSpan(0, (int)line.Length);
        if (number == 1 && bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
        try
        {
            return StrictUtf8.Encoding.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            var column = e.Index >= 0 ? $" at byte {e.Index + 1} of the line" : "";
            throw new PeftSharpException($"{name}:{number}: invalid UTF-8{column}");
        }
    }

    /// <summary>"file:line", the location prefix of every message about a text file's row.</summary>
    public static string At(string name, int line) => $"{name}:{line}";

    public static PeftSharpException Error(string name, int line, string message) => new($"{At(name, line)}: {message}");

    /// <summary>"where: field 'x': expected ..., got ..."; <paramref name="where"/> is "file:line" or "file: row n".</summary>
    public static PeftSharpException FieldError(string where, string field, string expected, string got) =>
        new($"{where}: field '{field}': expected {expected}, got {got}");

    public static PeftSharpException Empty(string name, string what = "data rows") => new($"{name}: the file has no {what}");

    /// <summary>A short, printable rendering of a value for error messages.</summary>
    public static string Quote(string value, int max = 40)
    {
        var shown = value.Length <= max ? value : value[..max] + "…";
        return "\"" + shown.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\t", "\\t").Replace("\r", "\\r") + "\"";
    }
}
