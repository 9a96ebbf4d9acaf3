namespace PeftSharp.Tokenization;

/// <summary>
/// A token matched in the raw text before the model sees it (HF "added tokens": special tokens such as
/// <c>&lt;|endoftext|&gt;</c>, <c>[CLS]</c>, <c>&lt;mask&gt;</c>). <see cref="LStrip"/>/<see cref="RStrip"/> swallow the
/// whitespace on that side; <see cref="SingleWord"/> only matches a whole word.
/// </summary>
internal sealed record AddedToken(string Content, int Id, bool Special = true, bool LStrip = false, bool RStrip = false, bool SingleWord = false);

/// <summary>Cuts text into plain segments and added tokens, leftmost-longest first, as HF's AddedVocabulary does.</summary>
internal sealed class AddedTokenSplitter
{
    private readonly Dictionary<char, AddedToken[]> byFirstChar;

    public AddedTokenSplitter(IEnumerable<AddedToken> tokens)
    {
        byFirstChar = tokens
            .Where(t => t.Content.Length > 0)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
    }

    /// <summary>A piece of the text: either plain text (Token null) or one added token.</summary>
    public readonly record struct Segment(string? Text, AddedToken? Token);

    public List<Segment> Split(string text)
    {
        var segments = new List<Segment>();
        if (byFirstChar.Count == 0)
        {
            if (text.Length > 0) segments.Add(new Segment(text, null));
            return segments;
        }

        int plainStart = 0;
        int i = 0;
        while (i < text.Length)
        {
            var token = MatchAt(text, i);
            if (token is null)
            {
                i++;
                continue;
            }
            int start = i, end = i + token.Content.Length;
            if (token.LStrip)
                while (start > plainStart && char.IsWhiteSpace(text[start - 1])) start--;
            if (token.RStrip)
                while (end < text.Length && char.IsWhiteSpace(text[end])) end++;
            if (start > plainStart) segments.Add(new Segment(text[plainStart..start], null));
            segments.Add(new Segment(null, token));
            plainStart = i = end;
        }
        if (plainStart < text.Length) segments.Add(new Segment(text[plainStart..], null));
        return segments;
    }

    private AddedToken? MatchAt(string text, int i)
    {
        if (!byFirstChar.TryGetValue(text[i], out var candidates)) return null;
        foreach (var token in candidates)
        {
            if (i + token.Content.Length > text.Length || string.CompareOrdinal(text, i, token.Content, 0, token.Content.Length) != 0)
                continue;
            if (token.SingleWord && (IsWordChar(text, i - 1) || IsWordChar(text, i + token.Content.Length)))
                continue;
            return token;
        }
        return null;
    }

    private static bool IsWordChar(string text, int index) =>
        index >= 0 && index < text.Length && (char.IsLetterOrDigit(text[index]) || text[index] == '_');
}
