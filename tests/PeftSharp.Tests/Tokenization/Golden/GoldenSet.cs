using System.IO.Compression;
using System.Text.Json;
using PeftSharp.Tokenization;
using PeftSharp.Workflows;

namespace PeftSharp.Tests.Tokenization.Golden;

/// <summary>
/// fixtures/tokenization-golden (made by tools/golden/tokenization/make_golden.py): the adversarial corpus, and per
/// tokenizer its model folder (large files gzipped) and the reference results.
/// </summary>
internal static class GoldenSet
{
    /// <summary>Every tokenizer of the set; "wordnet-gpt2" is the shipped model's tokenizer in assets/.</summary>
    public static readonly string[] Names =
    [
        "gpt2", "roberta", "llama3", "wordnet-gpt2", "llama2", "deberta-v3", "unigram-byte-fallback", "bpe-nmt-nfkc", "user-defined",
        "bert-uncased", "bert-cased",
    ];

    private static readonly Lazy<IReadOnlyList<string>> LazyCorpus = new(() =>
        JsonSerializer.Deserialize<List<string>>(Decompress(File.ReadAllBytes(Path.Combine(Root, "corpus.json.gz"))))!);

    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures", "tokenization-golden");

    public static IReadOnlyList<string> Corpus => LazyCorpus.Value;

    /// <summary>The files of a tokenizer's folder by name, .gz ones decompressed (expected.json.gz left out).</summary>
    public static Dictionary<string, byte[]> Files(string name)
    {
        string folder = name == "wordnet-gpt2" ? Path.Combine(DemoWorkflow.Assets(), "models", "wordnet-gpt2") : Path.Combine(Root, name);
        var files = new Dictionary<string, byte[]>();
        foreach (var path in Directory.GetFiles(folder))
        {
            string file = Path.GetFileName(path);
            if (file == "expected.json.gz" || file.EndsWith(".safetensors", StringComparison.Ordinal)) continue;
            byte[] bytes = File.ReadAllBytes(path);
            if (file.EndsWith(".gz", StringComparison.Ordinal)) files[file[..^3]] = Decompress(bytes);
            else files[file] = bytes;
        }
        return files;
    }

    /// <summary>The tokenizer, loaded through the in-memory entry point from its folder's files.</summary>
    public static ITextTokenizer Tokenizer(string name, IReadOnlyDictionary<string, object?>? configOverrides = null)
    {
        var files = Files(name);
        if (configOverrides is not null) files["tokenizer_config.json"] = WithOverrides(files.GetValueOrDefault("tokenizer_config.json"), configOverrides);
        return TokenizerLoader.Load(files, name);
    }

    private static byte[] WithOverrides(byte[]? config, IReadOnlyDictionary<string, object?> overrides)
    {
        var values = config is null ? [] : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(config)!;
        foreach (var (key, value) in overrides) values[key] = JsonSerializer.SerializeToElement(value);
        return JsonSerializer.SerializeToUtf8Bytes(values);
    }

    public static Expected Load(string name)
    {
        using var document = JsonDocument.Parse(Decompress(File.ReadAllBytes(Path.Combine(Root, name, "expected.json.gz"))));
        var root = document.RootElement;
        int? Optional(string field) => root.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
        var special = root.GetProperty("with_special");
        var decoded = root.GetProperty("decoded");
        return new Expected(
            root.GetProperty("reference").GetString()!,
            root.GetProperty("vocab_size").GetInt32(), Optional("bos"), Optional("eos"), Optional("pad"), Optional("unk"),
            IdLists(root.GetProperty("ids")),
            Ints(special.GetProperty("lines")), IdLists(special.GetProperty("ids")),
            root.GetProperty("pairs").EnumerateArray().Select(p => new Pair(
                p.GetProperty("first").GetInt32(),
                p.GetProperty("second").ValueKind == JsonValueKind.Null ? null : p.GetProperty("second").GetInt32(),
                p.GetProperty("max_length").ValueKind == JsonValueKind.Null ? null : p.GetProperty("max_length").GetInt32(),
                Ints(p.GetProperty("ids")), Ints(p.GetProperty("type_ids")))).ToList(),
            Ints(decoded.GetProperty("lines")), Strings(decoded.GetProperty("texts")),
            root.GetProperty("variants").EnumerateArray().Select(v => new Variant(
                v.GetProperty("config").EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone()),
                Ints(v.GetProperty("lines")), IdLists(v.GetProperty("ids")),
                v.GetProperty("decoded").ValueKind == JsonValueKind.Null ? null : Strings(v.GetProperty("decoded")))).ToList());
    }

    private static List<int> Ints(JsonElement e) => e.EnumerateArray().Select(i => i.GetInt32()).ToList();
    private static List<List<int>> IdLists(JsonElement e) => e.EnumerateArray().Select(Ints).ToList();
    private static List<string?> Strings(JsonElement e) => e.EnumerateArray().Select(s => s.ValueKind == JsonValueKind.Null ? null : s.GetString()).ToList();

    private static byte[] Decompress(byte[] gz)
    {
        using var input = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    internal sealed record Pair(int First, int? Second, int? MaxLength, List<int> Ids, List<int> TypeIds);

    /// <summary>A configuration change (tokenizer_config.json keys) and the reference ids (and decodings) of some lines under it.</summary>
    internal sealed record Variant(Dictionary<string, object?> Config, List<int> Lines, List<List<int>> Ids, List<string?>? Decoded);

    internal sealed record Expected(
        string Reference, int VocabSize, int? Bos, int? Eos, int? Pad, int? Unk,
        List<List<int>> Ids, List<int> WithSpecialLines, List<List<int>> WithSpecial, List<Pair> Pairs,
        List<int> DecodedLines, List<string?> Decoded, List<Variant> Variants);
}
