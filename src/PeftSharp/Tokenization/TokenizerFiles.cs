using System.Text.Json;

namespace PeftSharp.Tokenization;

/// <summary>
/// Strict readers for the files of a HF tokenizer folder. Every problem becomes a <see cref="PeftSharpException"/>
/// naming the file (and line, entry or field) and what was expected.
/// </summary>
internal static class TokenizerFiles
{
    /// <summary>Ids above this are treated as corrupt (the largest real vocabularies have ~260k entries).</summary>
    internal const int MaxTokenId = 1 << 24;


    /// <summary>Strict UTF-8 text of a file's bytes (a byte-order mark is skipped).</summary>
    public static string DecodeText(byte[] bytes, string where)
    {
        try
        {
            int skip = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
            return IO.StrictUtf8.Encoding.GetString(bytes, skip, bytes.Length - skip);
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw new PeftSharpException($"{where}: not valid UTF-8 text (byte {e.Index})", e);
        }
    }

    public static JsonElement ParseJson(byte[] bytes, string where)
    {
        DecodeText(bytes, where);
        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowTrailingCommas = false, MaxDepth = 256 });
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new PeftSharpException($"{where}: invalid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}", e);
        }
    }

    /// <summary>Reads a JSON object of token → id (vocab.json, or model.vocab of tokenizer.json).</summary>
    public static Dictionary<string, int> ParseVocabulary(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new PeftSharpException($"{where}: expected a JSON object mapping tokens to ids, found {element.ValueKind}");
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in element.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id) || id < 0 || id >= MaxTokenId)
                throw new PeftSharpException($"{where}: the id of token \"{entry.Name}\" must be an integer in [0, {MaxTokenId}), found {entry.Value.GetRawText()}");
            vocabulary[entry.Name] = id;
        }
        if (vocabulary.Count == 0) throw new PeftSharpException($"{where}: the vocabulary is empty");
        return vocabulary;
    }


    /// <summary>
    /// Reads merges.txt: an optional "#version" line, then one "left right" pair per line (empty lines skipped).
    /// Returns the merges and the 1-based line number of each.
    /// </summary>
    public static (List<(string Left, string Right)> Merges, List<int> Lines) ParseMergesTxt(string text, string path)
    {
        string[] lines = SplitLines(text);
        var merges = new List<(string, string)>(lines.Length);
        var numbers = new List<int>(lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Length == 0 || (i == 0 && line.StartsWith("#version", StringComparison.Ordinal))) continue;
            var parts = line.Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new PeftSharpException($"{path}, line {i + 1}: expected two tokens separated by one space, found {parts.Length} part(s) in \"{Shorten(line)}\"");
            merges.Add((parts[0], parts[1]));
            numbers.Add(i + 1);
        }
        return (merges, numbers);
    }

    /// <summary>Reads model.merges of tokenizer.json: "left right" strings or ["left", "right"] pairs.</summary>
    public static List<(string Left, string Right)> ParseMerges(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Array)
            throw new PeftSharpException($"{where}: expected an array of merges, found {element.ValueKind}");
        var merges = new List<(string, string)>(element.GetArrayLength());
        int index = 0;
        foreach (var merge in element.EnumerateArray())
        {
            if (merge.ValueKind == JsonValueKind.String)
            {
                var parts = merge.GetString()!.Split(' ');
                if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                    throw new PeftSharpException($"{where}[{index}]: expected \"left right\" (two tokens separated by one space), found {merge.GetRawText()}");
                merges.Add((parts[0], parts[1]));
            }
            else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
                     && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
            {
                string left = merge[0].GetString()!, right = merge[1].GetString()!;
                if (left.Length == 0 || right.Length == 0 || left.Contains(' ') || right.Contains(' '))
                    throw new PeftSharpException($"{where}[{index}]: merge tokens must be non-empty and without spaces, found {merge.GetRawText()}");
                merges.Add((left, right));
            }
            else
            {
                throw new PeftSharpException($"{where}[{index}]: expected \"left right\" or [\"left\", \"right\"], found {Shorten(merge.GetRawText())}");
            }
            index++;
        }
        return merges;
    }

    /// <summary>Reads vocab.txt (one token per line, id = line number - 1).</summary>
    public static List<string> ParseVocabTxt(string text, string path)
    {
        var tokens = SplitLines(text).ToList();
        if (tokens.Count == 0) throw new PeftSharpException($"{path}: the vocabulary is empty");
        return tokens;
    }

    /// <summary>Lines as File.ReadAllLines splits them: at \n, \r\n or \r, without a last empty line.</summary>
    private static string[] SplitLines(string text)
    {
        var lines = text.Split(["\r\n", "\n", "\r"], StringSplitOptions.None);
        return lines.Length > 0 && lines[^1].Length == 0 ? lines[..^1] : lines;
    }

    public static string? GetString(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() : null;

    public static bool? GetBool(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean() : null;

    /// <summary>A property that may be absent or null.</summary>
    public static JsonElement? GetObject(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind != JsonValueKind.Null
            ? value : null;

    public static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
