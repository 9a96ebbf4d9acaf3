namespace PeftSharp.Tokenization;

/// <summary>
/// BERT's WordPiece as HF's fast BertTokenizer runs it: <see cref="BertTextNormalizer"/>, <see cref="BertPreTokenizer"/>,
/// then per word greedy longest-match-first pieces with "##" continuations; a word longer than 100 characters or with
/// a part no piece matches is one unknown token.
/// </summary>
internal sealed class WordPieceTextTokenizer : TextTokenizer
{
    private const int MaxInputCharsPerWord = 100;
    private const string ContinuingPrefix = "##";

    private readonly IReadOnlyList<string> tokens;
    private readonly Dictionary<string, int> ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup;
    private readonly BertTextNormalizer normalizer;
    private readonly int unknownId;
    private readonly bool decoderCleanup;

    /// <param name="tokens">The vocabulary, by id.</param>
    /// <param name="normalizer">Text clean-up, casing and accents.</param>
    /// <param name="unknownId">The id of the unknown token.</param>
    /// <param name="decoderCleanup">The cleanup flag of HF's WordPiece decoder (true unless tokenizer.json turns it off).</param>
    /// <param name="setup">Special tokens.</param>
    public WordPieceTextTokenizer(IReadOnlyList<string> tokens, BertTextNormalizer normalizer, int unknownId, bool decoderCleanup, TokenizerSetup setup) : base(setup)
    {
        this.decoderCleanup = decoderCleanup;
        this.tokens = tokens;
        this.normalizer = normalizer;
        this.unknownId = unknownId;
        ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++) ids[tokens[i]] = i;
        lookup = ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    protected override int ModelVocabSize => tokens.Count;

    protected override void EncodePlain(string text, List<int> ids)
    {
        string normalized = normalizer.Normalize(text);
        var words = new List<Range>();
        BertPreTokenizer.Split(normalized, words);
        foreach (var word in words) EncodeWord(normalized.AsSpan()[word], ids);
    }

    private void EncodeWord(ReadOnlySpan<char> word, List<int> ids)
    {
        if (CountCharacters(word) > MaxInputCharsPerWord)
        {
            ids.Add(unknownId);
            return;
        }
        int first = ids.Count;
        Span<char> buffer = stackalloc char[ContinuingPrefix.Length + 2 * MaxInputCharsPerWord];
        ContinuingPrefix.CopyTo(buffer);
        int start = 0;
        while (start < word.Length)
        {
            int end = word.Length, found = -1;
            while (start < end)
            {
                scoped ReadOnlySpan<char> candidate;
                if (start == 0)
                {
                    candidate = word[..end];
                }
                else
                {
                    word[start..end].CopyTo(buffer[ContinuingPrefix.Length..]);
                    candidate = buffer[..(ContinuingPrefix.Length + end - start)];
                }
                if (lookup.TryGetValue(candidate, out found)) break;
                found = -1;
                end -= char.IsLowSurrogate(word[end - 1]) && end - 2 >= start ? 2 : 1;
            }
            if (found < 0)
            {
                ids.RemoveRange(first, ids.Count - first);
                ids.Add(unknownId);
                return;
            }
            ids.Add(found);
            start = end;
        }
    }

    private static int CountCharacters(ReadOnlySpan<char> word)
    {
        int count = 0;
        foreach (var _ in word.EnumerateRunes()) count++;
        return count;
    }

    /// <summary>
    /// HF's WordPiece decoder on the tokens of all ids (added tokens included): every token but the first gets a space
    /// in front unless it is a "##" continuation, whose prefix goes; then, with the decoder's cleanup on, the token
    /// loses a space before ".", "?", "!" or ",".
    /// </summary>
    protected override string DecodeKept(IReadOnlyList<int> ids)
    {
        var text = new System.Text.StringBuilder();
        int index = 0;
        foreach (int id in ids)
        {
            if (IdToToken(id) is not string token) continue;
            if (index++ > 0) token = token.StartsWith(ContinuingPrefix, StringComparison.Ordinal) ? token[ContinuingPrefix.Length..] : " " + token;
            text.Append(decoderCleanup ? DecoderCleanup(token) : token);
        }
        return text.ToString();
    }

    /// <summary>The cleanup of HF's WordPiece decoder (applied to each token's text).</summary>
    private static string DecoderCleanup(string token) => token
        .Replace(" .", ".").Replace(" ?", "?").Replace(" !", "!").Replace(" ,", ",")
        .Replace(" ' ", "'").Replace(" n't", "n't").Replace(" 'm", "'m").Replace(" do not", " don't").Replace(" 's", "'s")
        .Replace(" 've", "'ve").Replace(" 're", "'re");

    protected override string DecodePlain(IReadOnlyList<int> ids) => DecodeKept(ids);

    protected override string? ModelIdToToken(int id) => id >= 0 && id < tokens.Count ? tokens[id] : null;

    protected override int? ModelTokenToId(string token) => ids.TryGetValue(token, out int id) ? id : null;
}
