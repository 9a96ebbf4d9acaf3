using System.Text;

namespace PeftSharp.Tokenization;

/// <summary>
/// HF's BertPreTokenizer: words are split at whitespace (dropped) and every punctuation character is a word of its
/// own. Punctuation is what HF calls so (ASCII punctuation and the Unicode P* categories of its tables), read from
/// <see cref="CharacterTables"/>.
/// </summary>
internal static class BertPreTokenizer
{
    /// <summary>The words of <paramref name="text"/>, as ranges.</summary>
    public static void Split(string text, List<Range> words)
    {
        int wordStart = -1;
        int i = 0;
        while (i < text.Length)
        {
            Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out int width);
            bool whitespace = CharacterTables.IsWhitespace(rune.Value);
            if (whitespace || CharacterTables.IsBertPunctuation(rune.Value))
            {
                if (wordStart >= 0) words.Add(wordStart..i);
                wordStart = -1;
                if (!whitespace) words.Add(i..(i + width));
            }
            else if (wordStart < 0)
            {
                wordStart = i;
            }
            i += width;
        }
        if (wordStart >= 0) words.Add(wordStart..text.Length);
    }
}
