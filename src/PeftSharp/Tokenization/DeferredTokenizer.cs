namespace PeftSharp.Tokenization;

/// <summary>
/// The tokenizer of a model folder, loaded the first time it is used. Training or evaluating on token ids never uses
/// it, so a model folder without tokenizer files fails only when text must be tokenized or generations decoded — with
/// the loader's message and that reason.
/// </summary>
internal sealed class DeferredTokenizer(string modelDirectory) : ITextTokenizer
{
    private ITextTokenizer? tokenizer;
    private PeftSharpException? problem;

    /// <summary>The tokenizer, or null when the folder has none that loads (the first call tries to load it).</summary>
    public ITextTokenizer? IfAvailable
    {
        get
        {
            if (tokenizer is null && problem is null)
                try { tokenizer = TokenizerLoader.Load(modelDirectory); }
                catch (PeftSharpException e) { problem = e; }
            return tokenizer;
        }
    }

    private ITextTokenizer Loaded => IfAvailable
        ?? throw new PeftSharpException($"{problem!.Message} — needed to tokenize text or decode generations (token-id data needs none)", problem);

    public int VocabSize => Loaded.VocabSize;
    public int? BosTokenId => Loaded.BosTokenId;
    public int? EosTokenId => Loaded.EosTokenId;
    public int? PadTokenId => Loaded.PadTokenId;
    public int? UnkTokenId => Loaded.UnkTokenId;
    public IReadOnlyList<int> Encode(string text, bool addSpecialTokens = true) => Loaded.Encode(text, addSpecialTokens);
    public EncodedPair EncodePair(string first, string? second, int? maxLength = null) => Loaded.EncodePair(first, second, maxLength);
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true) => Loaded.Decode(ids, skipSpecialTokens);
    public string? IdToToken(int id) => Loaded.IdToToken(id);
    public int? TokenToId(string token) => Loaded.TokenToId(token);

    /// <summary>The id batches are padded with: the tokenizer's pad (or EOS) id, 0 without a tokenizer (padding is masked, so any id serves).</summary>
    public int PadId => IfAvailable is { } t ? t.PadTokenId ?? t.EosTokenId ?? 0 : 0;
}
