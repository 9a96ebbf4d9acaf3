using System.Text;
using System.Text.Json;

namespace PeftSharp.Tokenization.Gguf;

/// <summary>
/// Builds the <see cref="GgufVocabulary"/> of a HuggingFace model folder from its tokenizer files — byte-level BPE from
/// tokenizer.json or vocab.json + merges.txt, SentencePiece BPE from tokenizer.model — and the special tokens from the
/// tokenizer PeftSharp loaded from the same folder (its BOS/EOS/UNK/PAD ids, and whether encoding adds BOS or EOS), so
/// llama.cpp tokenises as PeftSharp trained. Tokenizers llama.cpp cannot reproduce are refused with the reason.
/// </summary>
internal static class GgufVocabularyFromFolder
{
    /// <param name="folder">The model folder.</param>
    /// <param name="tokenizer">PeftSharp's tokenizer of that folder.</param>
    /// <param name="embeddingRows">Rows of the model's token embedding: the token list is padded to it.</param>
    public static GgufVocabulary Read(string folder, ITextTokenizer tokenizer, int embeddingRows)
    {
        string tokenizerJson = Path.Combine(folder, "tokenizer.json"), vocabJson = Path.Combine(folder, "vocab.json"),
            mergesTxt = Path.Combine(folder, "merges.txt"), spm = Path.Combine(folder, "tokenizer.model");
        var json = File.Exists(tokenizerJson) ? ReadJson(tokenizerJson) : (JsonElement?)null;
        var config = ReadJsonIfExists(Path.Combine(folder, "tokenizer_config.json"));
        GgufVocabulary vocabulary;
        if (json is { } j && IsByteLevelBpe(j)) vocabulary = FromTokenizerJson(j, tokenizerJson, embeddingRows);
        else if (File.Exists(vocabJson) && File.Exists(mergesTxt)) vocabulary = FromVocabAndMerges(vocabJson, mergesTxt, config, folder, embeddingRows);
        else if (File.Exists(spm)) vocabulary = FromSentencePiece(spm, config, embeddingRows);
        else
            throw new PeftSharpException($"{folder}: llama.cpp embeds byte-level BPE (tokenizer.json, or vocab.json + merges.txt) and SentencePiece BPE (tokenizer.model) tokenizers; this folder has neither");
        CheckAgainst(tokenizer, vocabulary, folder);
        return WithSpecialTokens(vocabulary, tokenizer, folder);
    }

    private static bool IsByteLevelBpe(JsonElement json) =>
        Property(json, "model") is { } model && Property(model, "type")?.GetString() == "BPE"
        && (Property(json, "pre_tokenizer")?.GetRawText() + Property(json, "decoder")?.GetRawText()).Contains("\"ByteLevel\"", StringComparison.Ordinal);

    private static GgufVocabulary FromTokenizerJson(JsonElement json, string path, int rows)
    {
        var model = Property(json, "model")!.Value;
        if (Property(json, "normalizer") is { ValueKind: not JsonValueKind.Null } normalizer)
            throw new PeftSharpException($"{path}: normalizer {normalizer.GetRawText()} has no llama.cpp equivalent (byte-level BPE there has none)");
        var tokens = new SortedDictionary<int, (string Text, int Type)>();
        foreach (var entry in (Property(model, "vocab") ?? throw new PeftSharpException($"{path}: model.vocab missing")).EnumerateObject())
            tokens[Id(entry.Value, $"{path}: model.vocab[\"{entry.Name}\"]")] = (entry.Name, GgufVocabulary.Normal);
        AddAddedTokens(tokens, Property(json, "added_tokens"), path + ": added_tokens");
        var merges = (Property(model, "merges") ?? throw new PeftSharpException($"{path}: model.merges missing")).EnumerateArray().Select(m => m.ValueKind switch
        {
            JsonValueKind.String => m.GetString()!,
            JsonValueKind.Array when m.GetArrayLength() == 2 => $"{m[0].GetString()} {m[1].GetString()}",
            _ => throw new PeftSharpException($"{path}: model.merges holds {m.GetRawText()} (expected \"a b\" or [\"a\", \"b\"])"),
        }).ToArray();
        return Assemble(GgufVocabulary.BytePairModel, PreTokenizerName(Property(json, "pre_tokenizer"), path + ": pre_tokenizer"), tokens, rows, path, merges: merges);
    }

    /// <summary>llama.cpp's name of a ByteLevel pre-tokenizer (GPT-2's regex) or of a Split regex followed by ByteLevel without regex.</summary>
    private static string PreTokenizerName(JsonElement? pre, string where)
    {
        string? pattern = null;
        bool prefixSpace = false;
        var steps = pre is { } p && Property(p, "type")?.GetString() == "Sequence" ? Property(p, "pretokenizers")!.Value.EnumerateArray().ToList() : pre is { } single ? [single] : [];
        foreach (var step in steps)
        {
            switch (Property(step, "type")?.GetString())
            {
                case "Split" when pattern is null && Property(step, "behavior")?.GetString() == "Isolated" && Property(step, "invert")?.GetBoolean() != true:
                    pattern = Property(Property(step, "pattern") ?? default, "Regex")?.GetString();
                    break;
                case "ByteLevel":
                    prefixSpace = Property(step, "add_prefix_space")?.GetBoolean() ?? true;
                    if (Property(step, "use_regex")?.GetBoolean() ?? true) pattern ??= PreTokenizerRegex.Gpt2Pattern;
                    break;
                default:
                    throw new PeftSharpException($"{where}: {step.GetRawText()} has no llama.cpp equivalent (supported: ByteLevel; Split with a regex, then ByteLevel)");
            }
        }
        if (prefixSpace) throw new PeftSharpException($"{where}: add_prefix_space = true has no llama.cpp equivalent");
        return (pattern is null ? null : PreTokenizers.NameOf(pattern))
            ?? throw new PeftSharpException($"{where}: the pre-tokenizer regex {JsonSerializer.Serialize(pattern)} is not one llama.cpp knows (supported: GPT-2's, LLaMA-3's, Qwen2's)");
    }

    private static GgufVocabulary FromVocabAndMerges(string vocabPath, string mergesPath, JsonElement? config, string folder, int rows)
    {
        if (config is { } c && Property(c, "add_prefix_space")?.ValueKind == JsonValueKind.True)
            throw new PeftSharpException($"{Path.Combine(folder, "tokenizer_config.json")}: add_prefix_space = true has no llama.cpp equivalent");
        var tokens = new SortedDictionary<int, (string Text, int Type)>();
        foreach (var entry in ReadJson(vocabPath).EnumerateObject()) tokens[Id(entry.Value, $"{vocabPath}: \"{entry.Name}\"")] = (entry.Name, GgufVocabulary.Normal);
        var addedPath = Path.Combine(folder, "added_tokens.json");
        if (File.Exists(addedPath))
            foreach (var entry in ReadJson(addedPath).EnumerateObject()) tokens[Id(entry.Value, $"{addedPath}: \"{entry.Name}\"")] = (entry.Name, GgufVocabulary.Control);
        AddDecoderTokens(tokens, config, Path.Combine(folder, "tokenizer_config.json"));
        var merges = File.ReadAllLines(mergesPath, Encoding.UTF8).Where(l => l.Length > 0 && !l.StartsWith("#version", StringComparison.Ordinal)).ToArray();
        return Assemble(GgufVocabulary.BytePairModel, PreTokenizers.Gpt2, tokens, rows, vocabPath, merges: merges);
    }

    private static GgufVocabulary FromSentencePiece(string path, JsonElement? config, int rows)
    {
        var proto = SentencePieceModelProto.Parse(File.ReadAllBytes(path), path);
        if (proto.ModelType != SentencePieceModelProto.Bpe)
            throw new PeftSharpException($"{path}: a {(proto.ModelType == SentencePieceModelProto.Unigram ? "Unigram" : $"type-{proto.ModelType}")} SentencePiece model; llama.cpp's 'llama' tokenizer reproduces SentencePiece BPE only");
        if (proto.HasCharsMap || proto.RemoveExtraWhitespaces || !proto.EscapeWhitespaces || proto.TreatWhitespaceAsSuffix)
            throw new PeftSharpException($"{path}: normaliser '{proto.NormalizerName}' (remove_extra_whitespaces {proto.RemoveExtraWhitespaces}) has no llama.cpp equivalent; llama.cpp assumes LLaMA's identity normalisation");
        var tokens = new SortedDictionary<int, (string Text, int Type)>();
        var scores = new Dictionary<int, float>();
        for (int i = 0; i < proto.Pieces.Count; i++)
        {
            tokens[i] = (proto.Pieces[i].Piece, proto.Pieces[i].Type);
            scores[i] = proto.Pieces[i].Score;
        }
        AddDecoderTokens(tokens, config, path);
        return Assemble(GgufVocabulary.SentencePieceModel, "default", tokens, rows, path, scores: scores) with { AddSpacePrefix = proto.AddDummyPrefix };
    }

    /// <summary>tokenizer.json's added_tokens: special ones are llama.cpp control tokens, others user-defined.</summary>
    private static void AddAddedTokens(SortedDictionary<int, (string Text, int Type)> tokens, JsonElement? added, string where)
    {
        if (added is not { ValueKind: JsonValueKind.Array } list) return;
        foreach (var token in list.EnumerateArray())
        {
            int id = Id(Property(token, "id") ?? default, where);
            string content = Property(token, "content")?.GetString() ?? throw new PeftSharpException($"{where}: an entry without content");
            tokens[id] = (content, Property(token, "special")?.GetBoolean() == true ? GgufVocabulary.Control : GgufVocabulary.UserDefined);
        }
    }

    /// <summary>tokenizer_config.json's added_tokens_decoder (id → {content, special}) for tokens beyond the model's own.</summary>
    private static void AddDecoderTokens(SortedDictionary<int, (string Text, int Type)> tokens, JsonElement? config, string where)
    {
        if (config is not { } c || Property(c, "added_tokens_decoder") is not { ValueKind: JsonValueKind.Object } decoder) return;
        foreach (var entry in decoder.EnumerateObject())
        {
            if (!int.TryParse(entry.Name, out int id) || id < 0) throw new PeftSharpException($"{where}: added_tokens_decoder key \"{entry.Name}\" is not a token id");
            if (tokens.ContainsKey(id)) continue;
            string content = Property(entry.Value, "content")?.GetString() ?? throw new PeftSharpException($"{where}: added_tokens_decoder[\"{entry.Name}\"] has no content");
            tokens[id] = (content, Property(entry.Value, "special")?.GetBoolean() == true ? GgufVocabulary.Control : GgufVocabulary.UserDefined);
        }
    }

    /// <summary>The token list 0 … rows − 1, gaps and padding rows filled with unused "[PADi]" tokens (as llama.cpp's converter does).</summary>
    private static GgufVocabulary Assemble(string model, string pre, SortedDictionary<int, (string Text, int Type)> tokens, int rows, string source,
        string[]? merges = null, Dictionary<int, float>? scores = null)
    {
        int highest = tokens.Count == 0 ? -1 : tokens.Keys.Max();
        if (highest >= rows)
            throw new PeftSharpException($"{source}: token id {highest} does not fit the model's {rows} embedding rows (vocab_size)");
        var texts = new string[rows];
        var types = new int[rows];
        for (int i = 0; i < rows; i++)
            (texts[i], types[i]) = tokens.TryGetValue(i, out var token) ? token : ($"[PAD{i}]", GgufVocabulary.Unused);
        return new GgufVocabulary
        {
            Model = model, Pre = pre, Tokens = texts, TokenTypes = types, Merges = merges,
            Scores = scores is null ? null : Enumerable.Range(0, rows).Select(i => scores.GetValueOrDefault(i)).ToArray(),
        };
    }

    /// <summary>The files must describe the tokenizer PeftSharp loaded: the same token for every id it knows.</summary>
    private static void CheckAgainst(ITextTokenizer tokenizer, GgufVocabulary vocabulary, string folder)
    {
        for (int id = 0; id < tokenizer.VocabSize && id < vocabulary.Tokens.Length; id++)
            if (tokenizer.IdToToken(id) is { } token && token != vocabulary.Tokens[id] && vocabulary.TokenTypes[id] != GgufVocabulary.Unused)
                throw new PeftSharpException($"{folder}: token {id} is \"{vocabulary.Tokens[id]}\" in the tokenizer files but \"{token}\" in the tokenizer PeftSharp loads from them");
    }

    /// <summary>Special ids and the BOS/EOS that encoding adds, as PeftSharp's tokenizer has them.</summary>
    private static GgufVocabulary WithSpecialTokens(GgufVocabulary vocabulary, ITextTokenizer tokenizer, string folder)
    {
        const string probe = "a";
        var bare = tokenizer.Encode(probe, addSpecialTokens: false);
        var full = tokenizer.Encode(probe, addSpecialTokens: true);
        int start = IndexOf(full, bare);
        var before = start < 0 ? null : full.Take(start).ToList();
        var after = start < 0 ? null : full.Skip(start + bare.Count).ToList();
        bool addBos = before is [var b] && b == tokenizer.BosTokenId, addEos = after is [var e] && e == tokenizer.EosTokenId;
        if (before is null || after is null || (before.Count > 0 && !addBos) || (after.Count > 0 && !addEos))
            throw new PeftSharpException($"{folder}: the tokenizer adds [{string.Join(", ", full)}] around a text of [{string.Join(", ", bare)}]; llama.cpp can add only a BOS before and an EOS after");
        return vocabulary with
        {
            BosId = tokenizer.BosTokenId,
            EosId = tokenizer.EosTokenId,
            UnknownId = tokenizer.UnkTokenId,
            PaddingId = tokenizer.PadTokenId,
            AddBos = addBos,
            AddEos = addEos,
        };
    }

    private static int IndexOf(IReadOnlyList<int> haystack, IReadOnlyList<int> needle)
    {
        for (int i = 0; i + needle.Count <= haystack.Count; i++)
            if (needle.Select((id, k) => haystack[i + k] == id).All(x => x)) return i;
        return -1;
    }

    private static int Id(JsonElement value, string where) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int id) && id >= 0 ? id : throw new PeftSharpException($"{where}: expected a token id, found {value.GetRawText()}");

    private static JsonElement? Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static JsonElement? ReadJsonIfExists(string path) => File.Exists(path) ? ReadJson(path) : null;

    private static JsonElement ReadJson(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new PeftSharpException($"{path}: invalid JSON ({e.Message})", e);
        }
    }
}
