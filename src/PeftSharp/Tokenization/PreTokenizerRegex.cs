using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PeftSharp.Tokenization;

/// <summary>
/// Splits text with a pre-tokenizer regex the way Python's <c>regex</c> module and HF's Oniguruma do, i.e. on code
/// points. .NET regexes see UTF-16 units, so a letter outside the Basic Multilingual Plane (𝔘, 𠀀) would not match
/// <c>\p{L}</c>; here each such code point is matched through a stand-in BMP character of the same Unicode category,
/// and the matches are mapped back to the original text. Text between matches is kept as its own piece (HF's
/// "Isolated" split behaviour); GPT-2's and LLaMA-3's patterns match every character, so there is none there.
/// </summary>
internal sealed class PreTokenizerRegex
{
    /// <summary>GPT-2's pattern (also HF's ByteLevel pre-tokenizer with use_regex = true).</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>LLaMA-3's pattern, as written in its tokenizer.json.</summary>
    public const string Llama3Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private readonly Regex regex;

    /// <exception cref="ArgumentException">The pattern is not a valid .NET regular expression.</exception>
    public PreTokenizerRegex(string pattern)
    {
        Pattern = pattern;
        regex = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromSeconds(30));
    }

    public string Pattern { get; }

    /// <summary>Appends the pieces of <paramref name="text"/> (in order, covering all of it) to <paramref name="pieces"/>.</summary>
    public void Split(string text, List<Range> pieces)
    {
        if (text.Length == 0) return;
        if (!HasSurrogatePair(text))
        {
            AddPieces(regex.Match(text), text.Length, pieces, map: null);
            return;
        }

        // One stand-in character per code point; map[i] = start of folded char i in text (map[^1] = text.Length).
        var folded = new StringBuilder(text.Length);
        var map = new List<int>(text.Length + 1);
        for (int i = 0; i < text.Length; i++)
        {
            map.Add(i);
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                folded.Append(StandIn(CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1]))));
                i++;
            }
            else
            {
                folded.Append(text[i]);
            }
        }
        map.Add(text.Length);
        var foldedText = folded.ToString();
        AddPieces(regex.Match(foldedText), foldedText.Length, pieces, map);
    }

    private static void AddPieces(Match match, int length, List<Range> pieces, List<int>? map)
    {
        int Original(int index) => map is null ? index : map[index];
        int position = 0;
        for (; match.Success; match = match.NextMatch())
        {
            if (match.Length == 0) continue;
            if (match.Index > position) pieces.Add(new Range(Original(position), Original(match.Index)));
            pieces.Add(new Range(Original(match.Index), Original(match.Index + match.Length)));
            position = match.Index + match.Length;
        }
        if (position < length) pieces.Add(new Range(Original(position), Original(length)));
    }

    private static bool HasSurrogatePair(string text)
    {
        for (int i = 0; i + 1 < text.Length; i++)
            if (char.IsHighSurrogate(text[i]) && char.IsLowSurrogate(text[i + 1])) return true;
        return false;
    }

    /// <summary>A BMP character of the given category that no pre-tokenizer pattern names literally.</summary>
    private static char StandIn(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter => '\u00C0',
        UnicodeCategory.LowercaseLetter => '\u00F8',
        UnicodeCategory.TitlecaseLetter => '\u01C5',
        UnicodeCategory.ModifierLetter => '\u02B0',
        UnicodeCategory.OtherLetter => '\u00AA',
        UnicodeCategory.NonSpacingMark => '\u0300',
        UnicodeCategory.SpacingCombiningMark => '\u0903',
        UnicodeCategory.EnclosingMark => '\u20DD',
        UnicodeCategory.DecimalDigitNumber => '\u0660',
        UnicodeCategory.LetterNumber => '\u2160',
        UnicodeCategory.OtherNumber => '\u00B2',
        UnicodeCategory.ConnectorPunctuation => '\u203F',
        UnicodeCategory.DashPunctuation => '\u2010',
        UnicodeCategory.OpenPunctuation => '\u2045',
        UnicodeCategory.ClosePunctuation => '\u2046',
        UnicodeCategory.InitialQuotePunctuation => '\u00AB',
        UnicodeCategory.FinalQuotePunctuation => '\u00BB',
        UnicodeCategory.OtherPunctuation => '\u00A1',
        UnicodeCategory.MathSymbol => '\u00AC',
        UnicodeCategory.CurrencySymbol => '\u00A2',
        UnicodeCategory.ModifierSymbol => '\u02C4',
        UnicodeCategory.OtherSymbol => '\u00A6',
        UnicodeCategory.Format => '\u00AD',
        UnicodeCategory.PrivateUse => '\uE000',
        _ => '\u0378', // unassigned
    };
}
