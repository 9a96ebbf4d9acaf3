using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace PeftSharp.Tokenization;

/// <summary>
/// BERT's word splitting: on whitespace, with every punctuation character its own word. Punctuation is what HF's
/// BasicTokenizer calls so: Unicode categories P*, plus all non-alphanumeric printable ASCII ($, +, &lt;, =, ^, `, |, ~).
/// (Microsoft.ML.Tokenizers' BERT pre-tokenizer, <c>\w+|\p{P}</c>, silently drops symbols such as '$' or '©'.)
/// </summary>
internal sealed class BertPreTokenizer : PreTokenizer
{
    public static BertPreTokenizer Instance { get; } = new();

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => PreTokenize(text.ToString());

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text)
    {
        var pieces = new List<(int, int)>();
        int wordStart = -1;
        int i = 0;
        while (i < text.Length)
        {
            Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out int width);
            if (Rune.IsWhiteSpace(rune) || IsPunctuation(rune))
            {
                if (wordStart >= 0) pieces.Add((wordStart, i - wordStart));
                wordStart = -1;
                if (!Rune.IsWhiteSpace(rune)) pieces.Add((i, width));
            }
            else if (wordStart < 0)
            {
                wordStart = i;
            }
            i += width;
        }
        if (wordStart >= 0) pieces.Add((wordStart, text.Length - wordStart));
        return pieces;
    }

    internal static bool IsPunctuation(Rune rune) =>
        rune.Value is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
}
