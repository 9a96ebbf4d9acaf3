using PeftSharp.Tokenization.SentencePiece;

namespace PeftSharp.Tokenization;

/// <summary>Loads the tokenizer of a HuggingFace model folder.</summary>
public static class TokenizerLoader
{
    /// <summary>
    /// Loads the tokenizer of a HuggingFace model folder. The kind is chosen from tokenizer_config.json
    /// (tokenizer_class), config.json (model_type) and the files present: byte-level BPE (GPT-2, RoBERTa, LLaMA-3:
    /// tokenizer.json or vocab.json + merges.txt), SentencePiece (LLaMA-2 tokenizer.model; DeBERTa-v2/v3 spm.model) or
    /// WordPiece (BERT vocab.txt); a GGUF model file (or a folder holding one) gives the tokenizer it embeds. Special tokens come from tokenizer_config.json, special_tokens_map.json,
    /// added_tokens.json and the added_tokens of tokenizer.json.
    /// </summary>
    /// <exception cref="PeftSharpException">The folder or a needed file is missing or malformed; the message names the file.</exception>
    public static ITextTokenizer Load(string modelDirectory)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        if (IO.Gguf.GgufModelFile.Find(modelDirectory) is { } gguf) return Gguf.GgufTokenizer.Load(gguf); // a GGUF model embeds its tokenizer
        if (!Directory.Exists(modelDirectory))
            throw new PeftSharpException($"{modelDirectory}: tokenizer folder not found");
        return Load(TokenizerFolder.FromDirectory(modelDirectory));
    }

    /// <summary>
    /// Loads a tokenizer from files held in memory, exactly as <see cref="Load(string)"/> would from a folder holding
    /// them (nothing is written to disk): file name → contents, e.g. "tokenizer.json", "tokenizer_config.json",
    /// "special_tokens_map.json", "added_tokens.json", "config.json", "tokenizer.model", "spm.model", "vocab.json",
    /// "merges.txt", "vocab.txt". Text files are UTF-8.
    /// </summary>
    /// <param name="files">File name → bytes.</param>
    /// <param name="origin">Names the source in error messages (e.g. the GGUF file they came from).</param>
    /// <exception cref="PeftSharpException">A needed file is missing or malformed; the message names origin and file.</exception>
    public static ITextTokenizer Load(IReadOnlyDictionary<string, byte[]> files, string origin)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(origin);
        return Load(TokenizerFolder.FromMemory(files, origin));
    }

    private static ITextTokenizer Load(TokenizerFolder folder) =>
        DetectKind(folder) switch
        {
            TokenizerKind.ByteLevelBpe => ByteLevelBpeLoader.Load(folder, roberta: false),
            TokenizerKind.RobertaByteLevelBpe => ByteLevelBpeLoader.Load(folder, roberta: true),
            TokenizerKind.LlamaSentencePiece => LoadLlama(folder),
            TokenizerKind.DebertaSentencePiece => LoadDeberta(folder),
            _ => LoadWordPiece(folder),
        };

    internal enum TokenizerKind { ByteLevelBpe, RobertaByteLevelBpe, LlamaSentencePiece, DebertaSentencePiece, WordPiece }

    internal static TokenizerKind DetectKind(TokenizerFolder folder)
    {
        string cls = (folder.TokenizerClass ?? "").ToLowerInvariant();
        if (cls.EndsWith("fast", StringComparison.Ordinal)) cls = cls[..^4];
        string modelType = (folder.ModelType ?? "").ToLowerInvariant();
        string? jsonModel = folder.TokenizerJson is { } json && TokenizerFiles.GetObject(json, "model") is { } m ? TokenizerFiles.GetString(m, "type") : null;
        bool byteLevelJson = folder.TokenizerJson is { } j && ByteLevelBpeLoader.IsByteLevelBpe(j);
        bool bpeFiles = folder.Has("vocab.json") || folder.Has("merges.txt");
        bool roberta = cls.StartsWith("roberta", StringComparison.Ordinal) || modelType == "roberta";

        if (cls.StartsWith("debertav2", StringComparison.Ordinal) || modelType == "deberta-v2")
            return Require(folder, TokenizerKind.DebertaSentencePiece, "spm.model", "a DeBERTa-v2/v3 tokenizer");
        if (cls.StartsWith("llama", StringComparison.Ordinal) || cls.StartsWith("codellama", StringComparison.Ordinal))
            return Require(folder, TokenizerKind.LlamaSentencePiece, "tokenizer.model", "a LlamaTokenizer");
        if (cls.StartsWith("bert", StringComparison.Ordinal) || modelType == "bert")
            return folder.Has("vocab.txt") || jsonModel == "WordPiece" ? TokenizerKind.WordPiece
                : throw new PeftSharpException($"{folder.PathOf("vocab.txt")}: file not found (a BERT tokenizer needs vocab.txt or a WordPiece tokenizer.json)");
        if (byteLevelJson || bpeFiles) return roberta ? TokenizerKind.RobertaByteLevelBpe : TokenizerKind.ByteLevelBpe;
        if (folder.Has("tokenizer.model")) return TokenizerKind.LlamaSentencePiece;
        if (folder.Has("spm.model")) return TokenizerKind.DebertaSentencePiece;
        if (folder.Has("vocab.txt") || jsonModel == "WordPiece") return TokenizerKind.WordPiece;
        if (folder.TokenizerJson is not null)
            throw new PeftSharpException($"{folder.PathOf("tokenizer.json")}: a \"{jsonModel}\" model without a ByteLevel pre-tokenizer is not supported " +
                "(supported: byte-level BPE as in GPT-2/RoBERTa/LLaMA-3, WordPiece; SentencePiece models need their tokenizer.model or spm.model)");
        throw new PeftSharpException($"{folder.Origin}: no tokenizer files found (expected tokenizer.json, vocab.json + merges.txt, tokenizer.model, spm.model or vocab.txt)");
    }

    private static TokenizerKind Require(TokenizerFolder folder, TokenizerKind kind, string file, string what) =>
        folder.Has(file) ? kind : throw new PeftSharpException($"{folder.PathOf(file)}: file not found ({what} needs it)");

    private static SentencePieceModel OpenSentencePiece(TokenizerFolder folder, string file) =>
        SentencePieceModel.Parse(folder.Read(file), folder.PathOf(file));

    private static SentencePieceProcessor Processor(SentencePieceModel model, string where, bool? addDummyPrefix = null)
    {
        try
        {
            return new SentencePieceProcessor(model, addDummyPrefix);
        }
        catch (FormatException e)
        {
            throw new PeftSharpException($"{where}: not a readable SentencePiece model ({e.Message})", e);
        }
    }

    /// <summary>
    /// LLaMA-2: tokenizer.model; BOS added unless add_bos_token is false, EOS if add_eos_token; legacy (default true)
    /// and add_prefix_space (default true) as HF's LlamaTokenizer reads them.
    /// </summary>
    private static ITextTokenizer LoadLlama(TokenizerFolder folder)
    {
        string where = folder.PathOf("tokenizer.model");
        var model = OpenSentencePiece(folder, "tokenizer.model");
        var processor = Processor(model, where);
        var defaults = new Dictionary<string, AddedTokenSpec>
        {
            ["bos_token"] = new("<s>"), ["eos_token"] = new("</s>"), ["unk_token"] = new("<unk>"),
        };
        var resolver = new SpecialTokenResolver(folder, processor.Vocabulary.Find, processor.Vocabulary.Count, defaults);
        int? bos = resolver.Role("bos_token"), eos = resolver.Role("eos_token");
        var template = SpecialTokenTemplate.BosEos(folder.Setting("add_bos_token") ?? true ? bos : null, folder.Setting("add_eos_token") ?? false ? eos : null);
        var setup = new TokenizerSetup(resolver.AddedTokens, template, bos, eos, resolver.Role("pad_token"), resolver.Role("unk_token"),
            folder.Setting("clean_up_tokenization_spaces") ?? false);
        SentencePieceTextTokenizer.NonLegacyLlama? nonLegacy = null;
        if (folder.Setting("legacy") == false)
        {
            string unknown = (folder.SpecialToken("unk_token") ?? defaults["unk_token"]).Content;
            nonLegacy = new(Processor(model, where, addDummyPrefix: false), unknown, folder.Setting("add_prefix_space") ?? true);
        }
        return new SentencePieceTextTokenizer(processor, lowerCase: false, nonLegacy, setup);
    }

    /// <summary>
    /// DeBERTa-v2/v3: spm.model; [PAD]/[CLS]/[SEP]/[UNK] are pieces of the model, [MASK] comes after the last piece
    /// unless declared (HF DebertaV2Tokenizer). [CLS] A [SEP] / [CLS] A [SEP] B [SEP] with token types 0/1.
    /// </summary>
    private static ITextTokenizer LoadDeberta(TokenizerFolder folder)
    {
        if (folder.Setting("split_by_punct") == true)
            throw new PeftSharpException($"{folder.PathOf("tokenizer_config.json")}: split_by_punct = true is not supported");
        var processor = Processor(OpenSentencePiece(folder, "spm.model"), folder.PathOf("spm.model"));
        var defaults = new Dictionary<string, AddedTokenSpec>
        {
            ["bos_token"] = new("[CLS]"), ["eos_token"] = new("[SEP]"), ["unk_token"] = new("[UNK]"), ["sep_token"] = new("[SEP]"),
            ["pad_token"] = new("[PAD]"), ["cls_token"] = new("[CLS]"), ["mask_token"] = new("[MASK]"),
        };
        var resolver = new SpecialTokenResolver(folder, processor.Vocabulary.Find, processor.Vocabulary.Count, defaults, appendMissingDefaults: true);
        int cls = resolver.Role("cls_token")!.Value, sep = resolver.Role("sep_token")!.Value;
        var setup = new TokenizerSetup(resolver.AddedTokens, SpecialTokenTemplate.Bert(cls, sep),
            resolver.Role("bos_token") ?? cls, resolver.Role("eos_token") ?? sep, resolver.Role("pad_token"), resolver.Role("unk_token"),
            folder.Setting("clean_up_tokenization_spaces") ?? false);
        return new SentencePieceTextTokenizer(processor, lowerCase: folder.Setting("do_lower_case") ?? false, nonLegacy: null, setup);
    }

    /// <summary>BERT: vocab.txt (or the WordPiece vocabulary of tokenizer.json), do_lower_case default true.</summary>
    private static ITextTokenizer LoadWordPiece(TokenizerFolder folder)
    {
        string source;
        List<string> tokens;
        bool decoderCleanup = true;
        if (folder.Has("vocab.txt"))
        {
            source = folder.PathOf("vocab.txt");
            tokens = TokenizerFiles.ParseVocabTxt(folder.ReadText("vocab.txt"), source);
        }
        else
        {
            var json = folder.TokenizerJson!.Value;
            source = folder.PathOf("tokenizer.json") + ": model.vocab";
            var model = TokenizerFiles.GetObject(json, "model")!.Value;
            var vocabulary = TokenizerFiles.ParseVocabulary(TokenizerFiles.GetObject(model, "vocab") ?? throw new PeftSharpException($"{source}: missing"), source);
            var byId = vocabulary.OrderBy(kv => kv.Value).ToList();
            if (byId.Select(kv => kv.Value).Where((id, i) => id != i).Any())
                throw new PeftSharpException($"{source}: WordPiece ids must be 0, 1, 2, … without gaps");
            tokens = byId.Select(kv => kv.Key).ToList();
            if (TokenizerFiles.GetObject(json, "decoder") is { } decoder) decoderCleanup = TokenizerFiles.GetBool(decoder, "cleanup") ?? true;
        }
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++) ids.TryAdd(tokens[i], i);

        var defaults = new Dictionary<string, AddedTokenSpec>
        {
            ["unk_token"] = new("[UNK]"), ["sep_token"] = new("[SEP]"), ["pad_token"] = new("[PAD]"), ["cls_token"] = new("[CLS]"), ["mask_token"] = new("[MASK]"),
        };
        var resolver = new SpecialTokenResolver(folder, t => ids.TryGetValue(t, out int id) ? id : null, tokens.Count, defaults);
        int Need(string role) => resolver.Role(role) is int id && id < tokens.Count ? id
            : throw new PeftSharpException($"{source}: the {role} ({defaults[role].Content} unless configured) is not in the vocabulary");
        int unknown = Need("unk_token"), sep = Need("sep_token"), cls = Need("cls_token");

        bool lowerCase = folder.Setting("do_lower_case") ?? true;
        var normalizer = new BertTextNormalizer(lowerCase, folder.Setting("strip_accents") ?? lowerCase, folder.Setting("tokenize_chinese_chars") ?? true);
        var setup = new TokenizerSetup(resolver.AddedTokens, SpecialTokenTemplate.Bert(cls, sep),
            resolver.Role("bos_token") ?? cls, resolver.Role("eos_token") ?? sep, resolver.Role("pad_token"), unknown,
            folder.Setting("clean_up_tokenization_spaces") ?? true);
        return new WordPieceTextTokenizer(tokens, normalizer, unknown, decoderCleanup, setup);
    }
}
