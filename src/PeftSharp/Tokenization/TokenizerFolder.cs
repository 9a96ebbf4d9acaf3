using System.Text.Json;

namespace PeftSharp.Tokenization;

/// <summary>
/// The files of a HF tokenizer — from a model folder, or handed over in memory (a GGUF file's embedded tokenizer, say)
/// — and the JSON ones among them that describe it: tokenizer_config.json, special_tokens_map.json, added_tokens.json,
/// tokenizer.json and config.json (for model_type). Each is parsed once, strictly; error messages name the file as
/// <see cref="PathOf"/> does.
/// </summary>
internal sealed class TokenizerFolder
{
    private readonly Func<string, byte[]?> readFile;
    private readonly Func<string, string> describe;
    private readonly Dictionary<string, byte[]?> files = new(StringComparer.Ordinal);

    private TokenizerFolder(string origin, Func<string, byte[]?> readFile, Func<string, string> describe)
    {
        Origin = origin;
        this.readFile = readFile;
        this.describe = describe;
        TokenizerConfig = ReadJsonIfPresent("tokenizer_config.json");
        SpecialTokensMap = ReadJsonIfPresent("special_tokens_map.json");
        AddedTokensJson = ReadJsonIfPresent("added_tokens.json");
        TokenizerJson = ReadJsonIfPresent("tokenizer.json");
        var config = ReadJsonIfPresent("config.json");
        ModelType = config is { } c ? TokenizerFiles.GetString(c, "model_type") : null;
        TokenizerClass = TokenizerConfig is { } t ? TokenizerFiles.GetString(t, "tokenizer_class") : null;
        foreach (var (name, element) in new[] { ("tokenizer_config.json", TokenizerConfig), ("special_tokens_map.json", SpecialTokensMap), ("added_tokens.json", AddedTokensJson), ("tokenizer.json", TokenizerJson) })
            if (element is { ValueKind: not JsonValueKind.Object })
                throw new PeftSharpException($"{PathOf(name)}: expected a JSON object at the top level, found {element.Value.ValueKind}");
    }

    /// <summary>The files of a folder on disk.</summary>
    public static TokenizerFolder FromDirectory(string directory) => new(directory, name =>
    {
        string path = Path.Combine(directory, name);
        if (!File.Exists(path)) return null;
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PeftSharpException($"{path}: cannot read the file: {e.Message}", e);
        }
    }, name => Path.Combine(directory, name));

    /// <summary>Files held in memory, by file name; <paramref name="origin"/> names where they came from in messages.</summary>
    public static TokenizerFolder FromMemory(IReadOnlyDictionary<string, byte[]> files, string origin) =>
        new(origin, name => files.TryGetValue(name, out var bytes) ? bytes : null, name => $"{origin} [{name}]");

    /// <summary>The folder, or what the in-memory files came from.</summary>
    public string Origin { get; }

    public JsonElement? TokenizerConfig { get; }
    public JsonElement? SpecialTokensMap { get; }
    public JsonElement? AddedTokensJson { get; }
    public JsonElement? TokenizerJson { get; }
    public string? ModelType { get; }

    /// <summary>tokenizer_class of tokenizer_config.json, e.g. "GPT2Tokenizer", "LlamaTokenizerFast".</summary>
    public string? TokenizerClass { get; }

    /// <summary>How messages name a file: its path, or "origin [name]" for files in memory.</summary>
    public string PathOf(string file) => describe(file);

    public bool Has(string file) => Bytes(file) is not null;

    /// <summary>The bytes of a file that must be there.</summary>
    public byte[] Read(string file) => Bytes(file) ?? throw new PeftSharpException($"{PathOf(file)}: file not found");

    /// <summary>The strict UTF-8 text of a file that must be there.</summary>
    public string ReadText(string file) => TokenizerFiles.DecodeText(Read(file), PathOf(file));

    /// <summary>A file's bytes, read once; null when it is absent.</summary>
    private byte[]? Bytes(string file)
    {
        if (!files.TryGetValue(file, out var bytes)) files[file] = bytes = readFile(file);
        return bytes;
    }

    private JsonElement? ReadJsonIfPresent(string file) => Bytes(file) is { } bytes ? TokenizerFiles.ParseJson(bytes, PathOf(file)) : null;

    /// <summary>A boolean setting of tokenizer_config.json (e.g. do_lower_case, add_bos_token), if present.</summary>
    public bool? Setting(string name) => TokenizerConfig is { } c ? TokenizerFiles.GetBool(c, name) : null;

    /// <summary>
    /// A special token named in tokenizer_config.json, else special_tokens_map.json (e.g. "bos_token"): a string or an
    /// AddedToken object {"content": …, "lstrip": …}. Returns null when absent or null.
    /// </summary>
    public AddedTokenSpec? SpecialToken(string name)
    {
        foreach (var (source, file) in new[] { (TokenizerConfig, "tokenizer_config.json"), (SpecialTokensMap, "special_tokens_map.json") })
        {
            if (source is not { } json || !json.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) continue;
            return ParseSpec(value, $"{PathOf(file)}: {name}");
        }
        return null;
    }

    /// <summary>additional_special_tokens of tokenizer_config.json / special_tokens_map.json.</summary>
    public IEnumerable<AddedTokenSpec> AdditionalSpecialTokens()
    {
        foreach (var (source, file) in new[] { (TokenizerConfig, "tokenizer_config.json"), (SpecialTokensMap, "special_tokens_map.json") })
        {
            if (source is not { } json || !json.TryGetProperty("additional_special_tokens", out var list) || list.ValueKind == JsonValueKind.Null) continue;
            if (list.ValueKind != JsonValueKind.Array)
                throw new PeftSharpException($"{PathOf(file)}: additional_special_tokens must be a list, found {list.ValueKind}");
            foreach (var item in list.EnumerateArray()) yield return ParseSpec(item, $"{PathOf(file)}: additional_special_tokens");
            yield break;
        }
    }

    /// <summary>
    /// Tokens with fixed ids declared outside the model vocabulary: tokenizer.json added_tokens,
    /// tokenizer_config.json added_tokens_decoder, added_tokens.json.
    /// </summary>
    public List<AddedToken> DeclaredAddedTokens()
    {
        var tokens = new List<AddedToken>();
        if (AddedTokensJson is { } addedJson)
        {
            foreach (var entry in addedJson.EnumerateObject())
            {
                if (!entry.Value.TryGetInt32(out int id) || id < 0 || id >= TokenizerFiles.MaxTokenId)
                    throw new PeftSharpException($"{PathOf("added_tokens.json")}: the id of \"{entry.Name}\" must be an integer in [0, {TokenizerFiles.MaxTokenId}), found {entry.Value.GetRawText()}");
                tokens.Add(new AddedToken(entry.Name, id, Special: false));
            }
        }
        if (TokenizerConfig is { } config && TokenizerFiles.GetObject(config, "added_tokens_decoder") is { } decoder)
        {
            if (decoder.ValueKind != JsonValueKind.Object)
                throw new PeftSharpException($"{PathOf("tokenizer_config.json")}: added_tokens_decoder must be an object of id → token, found {decoder.ValueKind}");
            foreach (var entry in decoder.EnumerateObject())
            {
                string where = $"{PathOf("tokenizer_config.json")}: added_tokens_decoder[\"{entry.Name}\"]";
                if (!int.TryParse(entry.Name, out int id) || id < 0 || id >= TokenizerFiles.MaxTokenId)
                    throw new PeftSharpException($"{where}: the key must be a token id in [0, {TokenizerFiles.MaxTokenId})");
                var spec = ParseSpec(entry.Value, where);
                tokens.Add(spec.WithId(id, TokenizerFiles.GetBool(entry.Value, "special") ?? false));
            }
        }
        if (TokenizerJson is { } tokenizerJson && TokenizerFiles.GetObject(tokenizerJson, "added_tokens") is { } added)
        {
            string where = $"{PathOf("tokenizer.json")}: added_tokens";
            if (added.ValueKind != JsonValueKind.Array) throw new PeftSharpException($"{where}: expected a list, found {added.ValueKind}");
            int index = 0;
            foreach (var item in added.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("id", out var idElement) || !idElement.TryGetInt32(out int id)
                    || id < 0 || id >= TokenizerFiles.MaxTokenId || TokenizerFiles.GetString(item, "content") is null)
                    throw new PeftSharpException($"{where}[{index}]: expected {{\"id\": <int>, \"content\": <string>, ...}}, found {TokenizerFiles.Shorten(item.GetRawText())}");
                tokens.Add(ParseSpec(item, $"{where}[{index}]").WithId(id, TokenizerFiles.GetBool(item, "special") ?? false));
                index++;
            }
        }
        return tokens;
    }

    private static AddedTokenSpec ParseSpec(JsonElement value, string where)
    {
        if (value.ValueKind == JsonValueKind.String) return new AddedTokenSpec(value.GetString()!);
        if (value.ValueKind == JsonValueKind.Object && TokenizerFiles.GetString(value, "content") is string content)
            return new AddedTokenSpec(content,
                TokenizerFiles.GetBool(value, "lstrip") ?? false,
                TokenizerFiles.GetBool(value, "rstrip") ?? false,
                TokenizerFiles.GetBool(value, "single_word") ?? false);
        throw new PeftSharpException($"{where}: expected a token string or {{\"content\": <string>, ...}}, found {TokenizerFiles.Shorten(value.GetRawText())}");
    }
}

/// <summary>A token named by a config file, before its id is known.</summary>
internal sealed record AddedTokenSpec(string Content, bool LStrip = false, bool RStrip = false, bool SingleWord = false)
{
    public AddedToken WithId(int id, bool special) => new(Content, id, special, LStrip, RStrip, SingleWord);
}
