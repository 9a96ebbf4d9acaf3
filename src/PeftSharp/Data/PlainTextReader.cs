namespace PeftSharp.Data;

/// <summary>A plain-text corpus: each non-blank line is one <see cref="TextExample"/> (strict UTF-8).</summary>
public static class PlainText
{
    public static IReadOnlyList<Example> Read(string path)
    {
        using var stream = DataFile.Open(path);
        var examples = DataFile.ReadLines(stream, path).Where(l => !string.IsNullOrWhiteSpace(l.Text)).Select(l => (Example)new TextExample(l.Text)).ToList();
        return examples.Count > 0 ? examples : throw DataFile.Empty(path, "text lines");
    }
}
