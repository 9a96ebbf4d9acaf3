using System.Text.Json;

namespace PeftSharp.Tokenization;

/// <summary>
/// The JSON files of a HF model folder that describe its tokenizer: tokenizer_config.json, special_tokens_map.json,
/// added_tokens.json, tokenizer.json and config.json (for model_type). Each is parsed once, strictly.
/// </summary>
internal sealed class TokenizerFolder
{
    public TokenizerFolder(string directory)
    {
        Directory = directory;
        TokenizerConfig = TokenizerFiles.ReadJsonIfExists(PathOf("tokenizer_config.json"));
        SpecialTokensMap = TokenizerFiles.ReadJsonIfExists(PathOf("special_tokens_map.json"));
        AddedTokensJson = TokenizerFiles.ReadJsonIfExists(PathOf("added_tokens.json"));
        TokenizerJson = TokenizerFiles.ReadJsonIfExists(PathOf("tokenizer.json"));
        var config = TokenizerFiles.ReadJsonIfExists(PathOf("config.json"));
        ModelType = config is { } c ? TokenizerFiles.GetString(c, "model_type") : null;
        TokenizerClass = TokenizerConfig is { } t ? TokenizerFiles.GetString(t, "tokenizer_class") : null;
        foreach (var (name, element) in new[] { ("tokenizer_config.json", TokenizerConfig), ("special_tokens_map.json", SpecialTokensMap), ("added_tokens.json", AddedTokensJson), ("tokenizer.json", TokenizerJson) })
            if (element is { ValueKind: not JsonValueKind.Object })
                throw new PeftSharpException($"{PathOf(name)}: expected a JSON object at the top level, found {element.Value.ValueKind}");
    }

    public string Directory { get; }
    public JsonElement? TokenizerConfig { get; }
    public JsonElement? SpecialTokensMap { get; }
    public JsonElement? AddedTokensJson { get; }
    public JsonElement? TokenizerJson { get; }
    public string? ModelType { get; }

    /// <summary>tokenizer_class of tokenizer_config.json, e.g. "GPT2Tokenizer", "LlamaTokenizerFast".</summary>
    public string? TokenizerClass { get; }

    public string PathOf(string file) => Path.Combine(Directory, file);
    public bool Has(string file) => File.Exists(PathOf(file));

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
