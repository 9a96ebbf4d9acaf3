using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace PeftSharp.Tokenization;

/// <summary>
/// The text clean-up of HF's BERT BasicTokenizer: drops NUL, U+FFFD and control characters (Cc, Cf; tab, newline and
/// carriage return count as whitespace), turns whitespace into spaces, puts spaces around CJK ideographs, lower-cases
/// and strips accents. (Unlike Microsoft.ML.Tokenizers' own BERT normalizer it does not rely on string.Normalize,
/// which is a no-op under InvariantGlobalization.) Not done: HF's NFC composition of already-decomposed input.
/// </summary>
internal sealed class BertTextNormalizer : Normalizer
{
    private readonly bool _lowerCase;
    private readonly bool _stripAccents;
    private readonly bool _spaceCjk;

    public BertTextNormalizer(bool lowerCase, bool stripAccents, bool spaceCjk)
    {
        _lowerCase = lowerCase;
        _stripAccents = stripAccents;
        _spaceCjk = spaceCjk;
    }

    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());

    public override string Normalize(string original)
    {
        var text = new StringBuilder(original.Length);
        foreach (var rune in original.EnumerateRunes())
        {
            int cp = rune.Value;
            if (cp is 0 or 0xFFFD || IsControl(rune)) continue;
            if (IsWhitespace(rune)) text.Append(' ');
            else if (_spaceCjk && IsCjk(cp)) text.Append(' ').Append(rune.ToString()).Append(' ');
            else text.Append(rune.ToString());
        }
        string result = text.ToString();
        if (_lowerCase) result = result.ToLowerInvariant();
        if (_stripAccents) result = AccentStripping.Strip(result);
        return result;
    }

    private static bool IsControl(Rune rune) =>
        rune.Value is not ('\t' or '\n' or '\r')
        && Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format;

    private static bool IsWhitespace(Rune rune) =>
        rune.Value is ' ' or '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(rune) == UnicodeCategory.SpaceSeparator;

    /// <summary>The CJK Unified Ideographs blocks BERT treats as one-character words.</summary>
    internal static bool IsCjk(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
            or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
