namespace PeftSharp.Tokenization;

/// <summary>
/// What every tokenizer kind shares: added tokens matched in the raw text first, the model encoding the plain text in
/// between, special tokens placed by a <see cref="SpecialTokenTemplate"/>, "longest_first" truncation, and decoding
/// that skips special tokens. A kind implements the model part only.
/// </summary>
internal abstract class TextTokenizer : ITextTokenizer
{
    private readonly AddedTokenSplitter splitter;
    private readonly Dictionary<int, AddedToken> addedById;
    private readonly Dictionary<string, AddedToken> addedByContent;
    private readonly HashSet<int> specialIds;
    private readonly int addedEnd;

    protected TextTokenizer(TokenizerSetup setup)
    {
        Setup = setup;
        splitter = new AddedTokenSplitter(setup.AddedTokens);
        addedById = new Dictionary<int, AddedToken>();
        addedByContent = new Dictionary<string, AddedToken>(StringComparer.Ordinal);
        foreach (var token in setup.AddedTokens)
        {
            addedById[token.Id] = token;
            addedByContent[token.Content] = token;
        }
        addedEnd = addedById.Count == 0 ? 0 : addedById.Keys.Max() + 1;
        specialIds = [.. setup.AddedTokens.Where(t => t.Special).Select(t => t.Id)];
        foreach (var id in new[] { setup.BosTokenId, setup.EosTokenId, setup.PadTokenId, setup.UnkTokenId })
            if (id is int special) specialIds.Add(special);
    }

    internal TokenizerSetup Setup { get; }

    /// <summary>Highest id the model vocabulary (without added tokens) uses, plus one.</summary>
    protected abstract int ModelVocabSize { get; }

    /// <summary>Encodes plain text (no added tokens in it) with the model, appending ids.</summary>
    protected abstract void EncodePlain(string text, List<int> ids);

    /// <summary>Decodes a run of model ids (no added tokens among them).</summary>
    protected abstract string DecodePlain(IReadOnlyList<int> ids);

    protected abstract string? ModelIdToToken(int id);
    protected abstract int? ModelTokenToId(string token);

    public int VocabSize => Math.Max(ModelVocabSize, addedEnd);
    public int? BosTokenId => Setup.BosTokenId;
    public int? EosTokenId => Setup.EosTokenId;
    public int? PadTokenId => Setup.PadTokenId;
    public int? UnkTokenId => Setup.UnkTokenId;

    public IReadOnlyList<int> Encode(string text, bool addSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = EncodeText(text);
        return addSpecialTokens ? Setup.Template.Apply(ids, null).InputIds : ids;
    }

    public EncodedPair EncodePair(string first, string? second, int? maxLength = null)
    {
        ArgumentNullException.ThrowIfNull(first);
        IReadOnlyList<int> a = EncodeText(first);
        IReadOnlyList<int>? b = second is null ? null : EncodeText(second);
        if (maxLength is int max)
        {
            int budget = Math.Max(0, max - Setup.Template.SpecialCount(pair: b is not null));
            if (b is null)
            {
                a = a.Take(budget).ToList();
            }
            else
            {
                var (keepA, keepB) = Truncation.LongestFirst(a.Count, b.Count, budget);
                a = a.Take(keepA).ToList();
                b = b.Take(keepB).ToList();
            }
        }
        return Setup.Template.Apply(a, b);
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var kept = skipSpecialTokens ? ids.Where(id => !specialIds.Contains(id)).ToList() : ids.ToList();
        string text = DecodeKept(kept);
        return Setup.CleanUpTokenizationSpaces ? CleanUpTokenizationSpaces(text) : text;
    }

    /// <summary>
    /// Decodes ids that are all to be shown: each run of model ids by the model, added tokens as their text. (HF
    /// joins them in the same way: the byte-level and SentencePiece decoders treat added tokens as literal text.)
    /// </summary>
    protected virtual string DecodeKept(IReadOnlyList<int> ids)
    {
        var text = new System.Text.StringBuilder();
        var run = new List<int>();
        foreach (int id in ids)
        {
            if (addedById.TryGetValue(id, out var added))
            {
                if (run.Count > 0) text.Append(DecodePlain(run));
                run.Clear();
                text.Append(added.Content);
            }
            else
            {
                run.Add(id);
            }
        }
        if (run.Count > 0) text.Append(DecodePlain(run));
        return text.ToString();
    }

    public string? IdToToken(int id) => addedById.TryGetValue(id, out var added) ? added.Content : ModelIdToToken(id);

    public int? TokenToId(string token) => addedByContent.TryGetValue(token, out var added) ? added.Id : ModelTokenToId(token);

    /// <summary>The ids of a text without special tokens: added tokens cut out first, the text between them encoded plainly.</summary>
    protected virtual List<int> EncodeText(string text)
    {
        var ids = new List<int>();
        foreach (var segment in SplitAddedTokens(text))
        {
            if (segment.Token is { } token) ids.Add(token.Id);
            else EncodePlain(segment.Text!, ids);
        }
        return ids;
    }

    protected List<AddedTokenSplitter.Segment> SplitAddedTokens(string text) => splitter.Split(text);

    /// <summary>Whether an id is one of HF's "all_special_ids" (role tokens and special added tokens).</summary>
    protected bool IsSpecial(int id) => specialIds.Contains(id);

    /// <summary>HF's clean_up_tokenization: removes the space WordPiece decoding leaves before punctuation and contractions.</summary>
    internal static string CleanUpTokenizationSpaces(string text) => text
        .Replace(" .", ".").Replace(" ?", "?").Replace(" !", "!").Replace(" ,", ",")
        .Replace(" ' ", "'").Replace(" n't", "n't").Replace(" 'm", "'m").Replace(" 's", "'s")
        .Replace(" 've", "'ve").Replace(" 're", "'re");
}

/// <summary>What the loader found out about special tokens, shared by all kinds.</summary>
internal sealed record TokenizerSetup(
    IReadOnlyList<AddedToken> AddedTokens,
    SpecialTokenTemplate Template,
    int? BosTokenId,
    int? EosTokenId,
    int? PadTokenId,
    int? UnkTokenId,
    bool CleanUpTokenizationSpaces = false);
