using System.Text.Json;

namespace PeftSharp.Tests.Tokenization;

/// <summary>Paths and expected data of tests/PeftSharp.Tests/fixtures/tokenization (made by tools/golden/tokenization_golden.py).</summary>
internal static class TokenizationFixtures
{
    public static string Folder(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "tokenization", name);

    public static string CorpusPath => Path.Combine(AppContext.BaseDirectory, "fixtures", "tokenization", "corpus.txt");

    /// <summary>The corpus as the golden script feeds it to its trainer: one text per line, newline kept.</summary>
    public static List<string> CorpusTexts()
    {
        string text = File.ReadAllText(CorpusPath);
        var lines = text.Split('\n');
        var texts = lines[..^1].Select(l => l + "\n").ToList();
        if (lines[^1].Length > 0) texts.Add(lines[^1]);
        return texts;
    }

    public static Expected Load(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder(name), "expected.json")));
        var root = document.RootElement;
        int? Optional(string field) => root.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
        List<int> Ids(JsonElement e) => e.EnumerateArray().Select(i => i.GetInt32()).ToList();
        var cases = root.GetProperty("cases").EnumerateArray().Select(c => new Case(
            c.GetProperty("text").GetString()!, Ids(c.GetProperty("ids")), Ids(c.GetProperty("with_special")),
            c.TryGetProperty("decoded", out var d) ? d.GetString() : null)).ToList();
        var pairs = root.GetProperty("pairs").EnumerateArray().Select(p => new Pair(
            p.GetProperty("first").GetString()!,
            p.GetProperty("second").ValueKind == JsonValueKind.Null ? null : p.GetProperty("second").GetString(),
            p.GetProperty("max_length").ValueKind == JsonValueKind.Null ? null : p.GetProperty("max_length").GetInt32(),
            Ids(p.GetProperty("ids")), Ids(p.GetProperty("type_ids")))).ToList();
        return new Expected(root.GetProperty("vocab_size").GetInt32(), Optional("bos"), Optional("eos"), Optional("pad"), Optional("unk"), cases, pairs);
    }

    internal sealed record Case(string Text, List<int> Ids, List<int> WithSpecial, string? Decoded);
    internal sealed record Pair(string First, string? Second, int? MaxLength, List<int> Ids, List<int> TypeIds);
    internal sealed record Expected(int VocabSize, int? Bos, int? Eos, int? Pad, int? Unk, List<Case> Cases, List<Pair> Pairs);

    /// <summary>A fresh temporary folder, deleted on dispose.</summary>
    internal sealed class TempFolder : IDisposable
    {
        public TempFolder() => Directory.CreateDirectory(Path);
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "peftsharp-tok-" + Guid.NewGuid().ToString("N"));
        public string File(string name) => System.IO.Path.Combine(Path, name);
        public TempFolder With(string name, string content) { System.IO.File.WriteAllText(File(name), content); return this; }
        public TempFolder CopyFrom(string fixture, params string[] names)
        {
            foreach (var name in names) System.IO.File.Copy(System.IO.Path.Combine(Folder(fixture), name), File(name));
            return this;
        }
        public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
    }
}
