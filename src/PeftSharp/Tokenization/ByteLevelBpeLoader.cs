using System.Text.Json;
using System.Text.RegularExpressions;

namespace PeftSharp.Tokenization;

/// <summary>
/// Builds a <see cref="ByteLevelBpeTokenizer"/> from tokenizer.json (model.vocab, model.merges, pre_tokenizer,
/// post_processor, added_tokens) or, without it, from vocab.json + merges.txt with GPT-2's / RoBERTa's defaults.
/// </summary>
internal static class ByteLevelBpeLoader
{
    private static readonly Dictionary<string, AddedTokenSpec> Gpt2Defaults = new()
    {
        ["bos_token"] = new("<|endoftext|>"), ["eos_token"] = new("<|endoftext|>"), ["unk_token"] = new("<|endoftext|>"),
    };

    private static readonly Dictionary<string, AddedTokenSpec> RobertaDefaults = new()
    {
        ["bos_token"] = new("<s>"), ["eos_token"] = new("</s>"), ["sep_token"] = new("</s>"), ["cls_token"] = new("<s>"),
        ["unk_token"] = new("<unk>"), ["pad_token"] = new("<pad>"), ["mask_token"] = new("<mask>", LStrip: true),
    };

    /// <summary>True when tokenizer.json describes a byte-level BPE (ByteLevel pre-tokenizer or decoder).</summary>
    public static bool IsByteLevelBpe(JsonElement tokenizerJson) =>
        TokenizerFiles.GetObject(tokenizerJson, "model") is { } model && TokenizerFiles.GetString(model, "type") == "BPE"
        && (MentionsByteLevel(TokenizerFiles.GetObject(tokenizerJson, "pre_tokenizer")) || MentionsByteLevel(TokenizerFiles.GetObject(tokenizerJson, "decoder")));

    private static bool MentionsByteLevel(JsonElement? element) => element is { } e && e.GetRawText().Contains("\"ByteLevel\"", StringComparison.Ordinal);

    public static ITextTokenizer Load(TokenizerFolder folder, bool roberta)
    {
        PreTokenizerRegex? regex = new(PreTokenizerRegex.Gpt2Pattern);
        bool addPrefixSpace = folder.Setting("add_prefix_space") ?? false;
        bool ignoreMerges = false;
        SpecialTokenTemplate? template = null;
        Dictionary<string, int> vocabulary;
        List<(string Left, string Right)> merges;
        Func<int, string> mergeLocation;
        string vocabularySource;

        if (folder.TokenizerJson is { } json && IsByteLevelBpe(json))
        {
            string path = folder.PathOf("tokenizer.json");
            var model = TokenizerFiles.GetObject(json, "model")!.Value;
            vocabulary = TokenizerFiles.ParseVocabulary(Required(model, "vocab", path + ": model"), path + ": model.vocab");
            merges = TokenizerFiles.ParseMerges(Required(model, "merges", path + ": model"), path + ": model.merges");
            mergeLocation = i => $"{path}: model.merges[{i}]";
            vocabularySource = path + ": model.vocab";
            ignoreMerges = TokenizerFiles.GetBool(model, "ignore_merges") ?? false;
            foreach (var field in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
                if (TokenizerFiles.GetString(model, field) is { Length: > 0 } value)
                    throw new PeftSharpException($"{path}: model.{field} = \"{value}\" is not supported for byte-level BPE (expected empty or null)");
            if (TokenizerFiles.GetBool(model, "byte_fallback") == true)
                throw new PeftSharpException($"{path}: model.byte_fallback = true is not supported for byte-level BPE");
            if (TokenizerFiles.GetObject(json, "normalizer") is { } normalizer)
                throw new PeftSharpException($"{path}: normalizer of type \"{TokenizerFiles.GetString(normalizer, "type")}\" is not supported for byte-level BPE (expected null)");
            (regex, addPrefixSpace) = ParsePreTokenizer(TokenizerFiles.GetObject(json, "pre_tokenizer"), path + ": pre_tokenizer");
            var postProcessor = TokenizerFiles.GetObject(json, "post_processor");
            roberta |= postProcessor is { } p && TokenizerFiles.GetString(p, "type") == "RobertaProcessing";
            template = ParsePostProcessor(postProcessor, path + ": post_processor");
        }
        else
        {
            string vocabPath = folder.PathOf("vocab.json"), mergesPath = folder.PathOf("merges.txt");
            foreach (var required in new[] { "vocab.json", "merges.txt" })
                if (!folder.Has(required))
                    throw new PeftSharpException($"{folder.PathOf(required)}: file not found (a byte-level BPE tokenizer needs vocab.json and merges.txt, or tokenizer.json)");
            vocabulary = TokenizerFiles.ParseVocabulary(TokenizerFiles.ParseJson(folder.Read("vocab.json"), vocabPath), vocabPath);
            var (read, lines) = TokenizerFiles.ParseMergesTxt(folder.ReadText("merges.txt"), mergesPath);
            merges = read;
            mergeLocation = i => $"{mergesPath}, line {lines[i]}";
            vocabularySource = vocabPath;
        }

        CheckMerges(vocabulary, merges, mergeLocation, vocabularySource);
        var repeated = vocabulary.GroupBy(kv => kv.Value).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
            throw new PeftSharpException($"{vocabularySource}: id {repeated.Key} is given to several tokens (\"{string.Join("\", \"", repeated.Select(kv => kv.Key).Take(3))}\")");
        BpeModel bpe;
        try
        {
            bpe = new BpeModel(vocabulary, merges);
        }
        catch (InvalidOperationException e)
        {
            throw new PeftSharpException($"{vocabularySource}: not a usable BPE vocabulary ({e.Message})", e);
        }
        var resolver = new SpecialTokenResolver(folder, t => vocabulary.TryGetValue(t, out int id) ? id : null, bpe.Size,
            roberta ? RobertaDefaults : Gpt2Defaults);
        if (template is null && roberta)
        {
            int cls = resolver.Role("cls_token") ?? resolver.Role("bos_token")
                ?? throw new PeftSharpException($"{folder.Origin}: RoBERTa tokenizer without a cls_token/bos_token (\"<s>\") in its vocabulary");
            int sep = resolver.Role("sep_token") ?? resolver.Role("eos_token")
                ?? throw new PeftSharpException($"{folder.Origin}: RoBERTa tokenizer without a sep_token/eos_token (\"</s>\") in its vocabulary");
            template = SpecialTokenTemplate.Roberta(cls, sep);
        }
        var setup = new TokenizerSetup(resolver.AddedTokens, template ?? SpecialTokenTemplate.None,
            resolver.Role("bos_token") ?? FirstLeadingSpecial(template), resolver.Role("eos_token"), resolver.Role("pad_token"), resolver.Role("unk_token"),
            folder.Setting("clean_up_tokenization_spaces") ?? false);
        return new ByteLevelBpeTokenizer(bpe, regex, addPrefixSpace, ignoreMerges, setup);
    }

    /// <summary>Every merge must join two vocabulary tokens into a vocabulary token (HF refuses such files too).</summary>
    private static void CheckMerges(Dictionary<string, int> vocabulary, List<(string Left, string Right)> merges, Func<int, string> location, string vocabularySource)
    {
        var seen = new HashSet<(string, string)>();
        for (int i = 0; i < merges.Count; i++)
        {
            var (left, right) = merges[i];
            foreach (var token in new[] { left, right, left + right })
                if (!vocabulary.ContainsKey(token))
                    throw new PeftSharpException($"{location(i)}: merge \"{left} {right}\" uses token \"{token}\", which is not in {vocabularySource}");
            if (!seen.Add((left, right)))
                throw new PeftSharpException($"{location(i)}: merge \"{left} {right}\" appears twice");
        }
    }

    private static int? FirstLeadingSpecial(SpecialTokenTemplate? template) =>
        template?.Single.Count > 0 && template.Single[0].SpecialIds is [int id, ..] ? id : null;

    private static JsonElement Required(JsonElement element, string property, string where) =>
        TokenizerFiles.GetObject(element, property) ?? throw new PeftSharpException($"{where}: missing field \"{property}\"");

    /// <summary>ByteLevel (GPT-2 regex unless use_regex is false), or Sequence [Split(regex, Isolated), ByteLevel(use_regex false)].</summary>
    internal static (PreTokenizerRegex? Regex, bool AddPrefixSpace) ParsePreTokenizer(JsonElement? element, string where)
    {
        if (element is not { } pre) throw new PeftSharpException($"{where}: missing; byte-level BPE needs a ByteLevel pre-tokenizer");
        string? type = TokenizerFiles.GetString(pre, "type");
        switch (type)
        {
            case "ByteLevel":
                return (TokenizerFiles.GetBool(pre, "use_regex") ?? true ? new PreTokenizerRegex(PreTokenizerRegex.Gpt2Pattern) : null,
                        TokenizerFiles.GetBool(pre, "add_prefix_space") ?? true);
            case "Sequence":
                var steps = TokenizerFiles.GetObject(pre, "pretokenizers");
                if (steps is not { ValueKind: JsonValueKind.Array } list) throw new PeftSharpException($"{where}: Sequence without a \"pretokenizers\" list");
                PreTokenizerRegex? regex = null;
                bool prefix = false, byteLevelSeen = false;
                int index = 0;
                foreach (var step in list.EnumerateArray())
                {
                    string stepWhere = $"{where}.pretokenizers[{index++}]";
                    switch (TokenizerFiles.GetString(step, "type"))
                    {
                        case "Split" when regex is null && !byteLevelSeen:
                            regex = ParseSplit(step, stepWhere);
                            break;
                        case "ByteLevel" when !byteLevelSeen:
                            byteLevelSeen = true;
                            prefix = TokenizerFiles.GetBool(step, "add_prefix_space") ?? true;
                            if (TokenizerFiles.GetBool(step, "use_regex") ?? true)
                            {
                                if (regex is not null) throw new PeftSharpException($"{stepWhere}: ByteLevel with use_regex = true after a Split is not supported");
                                regex = new PreTokenizerRegex(PreTokenizerRegex.Gpt2Pattern);
                            }
                            else if (prefix && regex is not null)
                            {
                                throw new PeftSharpException($"{stepWhere}: ByteLevel with add_prefix_space = true after a Split is not supported");
                            }
                            break;
                        case var other:
                            throw new PeftSharpException($"{stepWhere}: pre-tokenizer \"{other}\" is not supported here (supported: Split with a Regex and Isolated behaviour, then ByteLevel)");
                    }
                }
                if (!byteLevelSeen) throw new PeftSharpException($"{where}: Sequence without a ByteLevel step");
                return (regex, prefix);
            default:
                throw new PeftSharpException($"{where}: pre-tokenizer \"{type}\" is not supported for byte-level BPE (supported: ByteLevel, Sequence of Split + ByteLevel)");
        }
    }

    private static PreTokenizerRegex ParseSplit(JsonElement split, string where)
    {
        string? behavior = TokenizerFiles.GetString(split, "behavior");
        if (behavior != "Isolated" || TokenizerFiles.GetBool(split, "invert") == true)
            throw new PeftSharpException($"{where}: Split with behavior \"{behavior}\" (invert = {TokenizerFiles.GetBool(split, "invert")}) is not supported; expected \"Isolated\", invert = false");
        var pattern = TokenizerFiles.GetObject(split, "pattern");
        string? text = pattern is { } p ? TokenizerFiles.GetString(p, "Regex") ?? (TokenizerFiles.GetString(p, "String") is string s ? Regex.Escape(s) : null) : null;
        if (text is null) throw new PeftSharpException($"{where}: Split needs a pattern {{\"Regex\": …}} or {{\"String\": …}}");
        try
        {
            return new PreTokenizerRegex(text);
        }
        catch (ArgumentException e)
        {
            throw new PeftSharpException($"{where}: the pattern is not supported by .NET regular expressions ({e.Message})", e);
        }
    }

    /// <summary>The special-token template of post_processor; null when there is none.</summary>
    internal static SpecialTokenTemplate? ParsePostProcessor(JsonElement? element, string where)
    {
        if (element is not { } post) return null;
        string? type = TokenizerFiles.GetString(post, "type");
        switch (type)
        {
            case "ByteLevel":
                return SpecialTokenTemplate.None;
            case "RobertaProcessing":
            case "BertProcessing":
                int cls = SpecialPairId(post, "cls", where), sep = SpecialPairId(post, "sep", where);
                return type == "RobertaProcessing" ? SpecialTokenTemplate.Roberta(cls, sep) : SpecialTokenTemplate.Bert(cls, sep);
            case "TemplateProcessing":
                return ParseTemplateProcessing(post, where);
            case "Sequence":
                if (TokenizerFiles.GetObject(post, "processors") is not { ValueKind: JsonValueKind.Array } processors)
                    throw new PeftSharpException($"{where}: Sequence without a \"processors\" list");
                SpecialTokenTemplate? result = null;
                int index = 0;
                foreach (var processor in processors.EnumerateArray())
                    if (ParsePostProcessor(processor, $"{where}.processors[{index++}]") is { } t && (result is null || t != SpecialTokenTemplate.None))
                        result = t;
                return result;
            default:
                throw new PeftSharpException($"{where}: post-processor \"{type}\" is not supported (supported: ByteLevel, RobertaProcessing, BertProcessing, TemplateProcessing, Sequence)");
        }
    }

    private static int SpecialPairId(JsonElement post, string name, string where)
    {
        if (TokenizerFiles.GetObject(post, name) is { ValueKind: JsonValueKind.Array } pair && pair.GetArrayLength() == 2 && pair[1].TryGetInt32(out int id))
            return id;
        throw new PeftSharpException($"{where}: \"{name}\" must be [\"token\", id]");
    }

    private static SpecialTokenTemplate ParseTemplateProcessing(JsonElement post, string where)
    {
        var specials = new Dictionary<string, int[]>(StringComparer.Ordinal);
        if (TokenizerFiles.GetObject(post, "special_tokens") is { ValueKind: JsonValueKind.Object } map)
        {
            foreach (var entry in map.EnumerateObject())
            {
                if (TokenizerFiles.GetObject(entry.Value, "ids") is not { ValueKind: JsonValueKind.Array } ids)
                    throw new PeftSharpException($"{where}: special_tokens[\"{entry.Name}\"] needs an \"ids\" list");
                specials[entry.Name] = ids.EnumerateArray().Select(i => i.TryGetInt32(out int v) && v >= 0 ? v
                    : throw new PeftSharpException($"{where}: special_tokens[\"{entry.Name}\"].ids must hold non-negative integers")).ToArray();
            }
        }

        List<SpecialTokenTemplate.Piece> Parse(string name)
        {
            if (TokenizerFiles.GetObject(post, name) is not { ValueKind: JsonValueKind.Array } items)
                throw new PeftSharpException($"{where}: TemplateProcessing needs a \"{name}\" list");
            var pieces = new List<SpecialTokenTemplate.Piece>();
            int index = 0;
            foreach (var item in items.EnumerateArray())
            {
                string itemWhere = $"{where}.{name}[{index++}]";
                if (TokenizerFiles.GetObject(item, "SpecialToken") is { } special)
                {
                    string id = TokenizerFiles.GetString(special, "id") ?? throw new PeftSharpException($"{itemWhere}: SpecialToken needs an \"id\"");
                    if (!specials.TryGetValue(id, out var ids)) throw new PeftSharpException($"{itemWhere}: special token \"{id}\" is not listed in special_tokens");
                    pieces.Add(SpecialTokenTemplate.Piece.Specials(ids, TypeId(special)));
                }
                else if (TokenizerFiles.GetObject(item, "Sequence") is { } sequence)
                {
                    pieces.Add(TokenizerFiles.GetString(sequence, "id") switch
                    {
                        "A" => SpecialTokenTemplate.Piece.A(TypeId(sequence)),
                        "B" => SpecialTokenTemplate.Piece.B(TypeId(sequence)),
                        var other => throw new PeftSharpException($"{itemWhere}: Sequence id must be \"A\" or \"B\", found \"{other}\""),
                    });
                }
                else
                {
                    throw new PeftSharpException($"{itemWhere}: expected {{\"SpecialToken\": …}} or {{\"Sequence\": …}}");
                }
            }
            return pieces;
        }

        var single = Parse("single");
        var pair = TokenizerFiles.GetObject(post, "pair") is null ? [.. single, SpecialTokenTemplate.Piece.B()] : Parse("pair");
        return new SpecialTokenTemplate(single, pair);
    }

    private static int TypeId(JsonElement element) =>
        element.TryGetProperty("type_id", out var t) && t.TryGetInt32(out int v) ? v : 0;
}
