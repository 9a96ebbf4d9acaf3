using PeftSharp.IO.Gguf;

namespace PeftSharp.Tokenization.Gguf;

/// <summary>
/// A tokenizer as llama.cpp embeds it in a GGUF file (<c>tokenizer.ggml.*</c>): the model (<c>gpt2</c>: byte-level BPE
/// with merges and a pre-tokenizer name; <c>llama</c>: SentencePiece BPE with scores), every token with its type, the
/// special token ids and whether BOS/EOS are added.
/// </summary>
internal sealed record GgufVocabulary
{
    /// <summary>llama.cpp's token types (tokenizer.ggml.token_type), SentencePiece's piece types.</summary>
    public const int Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6;

    public const string BytePairModel = "gpt2", SentencePieceModel = "llama";

    public required string Model { get; init; }
    /// <summary>tokenizer.ggml.pre: llama.cpp's name of the pre-tokenizer (<see cref="PreTokenizers"/>), <c>default</c> for SentencePiece.</summary>
    public required string Pre { get; init; }
    public required string[] Tokens { get; init; }
    public required int[] TokenTypes { get; init; }
    /// <summary>SentencePiece scores (merge priority); null for byte-level BPE.</summary>
    public float[]? Scores { get; init; }
    /// <summary>Byte-level BPE merges "left right", by priority; null for SentencePiece.</summary>
    public string[]? Merges { get; init; }
    public int? BosId { get; init; }
    public int? EosId { get; init; }
    public int? UnknownId { get; init; }
    public int? PaddingId { get; init; }
    public bool AddBos { get; init; }
    public bool AddEos { get; init; }
    /// <summary>SentencePiece's dummy prefix (a space before the text); llama.cpp assumes it when absent.</summary>
    public bool AddSpacePrefix { get; init; } = true;

    private const string Prefix = "tokenizer.ggml.";

    /// <summary>The tokenizer.ggml.* metadata entries, in llama.cpp's converter's order.</summary>
    public IEnumerable<KeyValuePair<string, GgufValue>> Metadata()
    {
        static KeyValuePair<string, GgufValue> Entry(string key, GgufValue value) => KeyValuePair.Create(Prefix + key, value);
        yield return Entry("model", GgufValue.Of(Model));
        yield return Entry("pre", GgufValue.Of(Pre));
        yield return Entry("tokens", GgufValue.Of(Tokens));
        if (Scores is not null) yield return Entry("scores", GgufValue.Of(Scores));
        yield return Entry("token_type", GgufValue.Of(TokenTypes));
        if (Merges is not null) yield return Entry("merges", GgufValue.Of(Merges));
        foreach (var (key, id) in new[] { ("bos_token_id", BosId), ("eos_token_id", EosId), ("unknown_token_id", UnknownId), ("padding_token_id", PaddingId) })
            if (id is { } value) yield return Entry(key, GgufValue.Of((uint)value));
        yield return Entry("add_bos_token", GgufValue.Of(AddBos));
        yield return Entry("add_eos_token", GgufValue.Of(AddEos));
        if (Model == SentencePieceModel) yield return Entry("add_space_prefix", GgufValue.Of(AddSpacePrefix));
    }

    /// <summary>Reads and checks the tokenizer of a GGUF file.</summary>
    public static GgufVocabulary Read(GgufMetadata m)
    {
        const string why = "the model's tokenizer is embedded in the file";
        string model = m.String(Prefix + "model") ?? throw m.Missing(Prefix + "model", why);
        if (model is not (BytePairModel or SentencePieceModel))
            throw new PeftSharpException($"{m.Source}: tokenizer model '{model}' is not supported (supported: {BytePairModel} = byte-level BPE, {SentencePieceModel} = SentencePiece BPE)");
        var tokens = m.Strings(Prefix + "tokens") ?? throw m.Missing(Prefix + "tokens", why);
        if (tokens.Length == 0) throw new PeftSharpException($"{m.Source}: metadata '{Prefix}tokens' is empty");
        var types = m.Integers(Prefix + "token_type") ?? Enumerable.Repeat(Normal, tokens.Length).ToArray();
        var scores = m.Floats(Prefix + "scores");
        var merges = m.Strings(Prefix + "merges");
        if (types.Length != tokens.Length) throw new PeftSharpException($"{m.Source}: '{Prefix}token_type' has {types.Length} entries for {tokens.Length} tokens");
        if (scores is not null && scores.Length != tokens.Length) throw new PeftSharpException($"{m.Source}: '{Prefix}scores' has {scores.Length} entries for {tokens.Length} tokens");
        if (types.FirstOrDefault(t => t is < Normal or > Byte) is var bad and not 0) throw new PeftSharpException($"{m.Source}: '{Prefix}token_type' holds {bad} (expected 1 … 6)");
        int? Id(string key)
        {
            var id = m.Count(Prefix + key);
            return id is null || id < tokens.Length ? id : throw new PeftSharpException($"{m.Source}: '{Prefix}{key}' = {id} is not a token id (there are {tokens.Length} tokens)");
        }
        string pre = m.String(Prefix + "pre") ?? "default";
        if (model == BytePairModel && merges is null) throw m.Missing(Prefix + "merges", "a byte-level BPE tokenizer needs its merges");
        if (model == BytePairModel && !PreTokenizers.IsSupported(pre))
            throw new PeftSharpException($"{m.Source}: pre-tokenizer '{pre}' is not supported (supported: {PreTokenizers.Supported})");
        return new GgufVocabulary
        {
            Model = model, Pre = pre, Tokens = tokens, TokenTypes = types,
            Scores = model == SentencePieceModel ? scores ?? new float[tokens.Length] : null,
            Merges = model == BytePairModel ? merges : null,
            BosId = Id("bos_token_id"), EosId = Id("eos_token_id"), UnknownId = Id("unknown_token_id"), PaddingId = Id("padding_token_id"),
            AddBos = m.Bool(Prefix + "add_bos_token") ?? model == SentencePieceModel,
            AddEos = m.Bool(Prefix + "add_eos_token") ?? false,
            AddSpacePrefix = m.Bool(Prefix + "add_space_prefix") ?? true,
        };
    }
}
