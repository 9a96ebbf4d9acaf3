using System.Text;

namespace PeftSharp.Tokenization;

/// <summary>
/// Per-character facts as HF tokenizers sees them (CharacterTables.Generated.cs, read off HF's Rust core for every
/// code point): what BERT's clean-up deletes, whitespace, CJK ideographs, punctuation, lower-case forms and
/// accent-stripped forms. .NET's own tables follow another Unicode version and cannot normalize under
/// InvariantGlobalization, so they are not used for these decisions.
/// </summary>
internal static partial class CharacterTables
{
    // Built on first use: static initializers of partial class parts run in no defined order.
    private static Dictionary<int, string>? _lowercase, _stripped;
    private static Dictionary<int, string> Lowercase => _lowercase ??= LowercaseTable.ToDictionary(e => e.CodePoint, e => e.Value);
    private static Dictionary<int, string> Stripped => _stripped ??= StrippedTable.ToDictionary(e => e.CodePoint, e => e.Value);

    public static bool IsRemovedByBertCleanUp(int cp) => InRanges(RemovedByBertCleanUpRanges, cp);
    public static bool IsWhitespace(int cp) => InRanges(WhitespaceRanges, cp);
    public static bool IsCjkIdeograph(int cp) => InRanges(CjkIdeographRanges, cp);
    public static bool IsBertPunctuation(int cp) => InRanges(BertPunctuationRanges, cp);

    /// <summary>The lower-case form of a character (full mapping: "İ" → "i̇").</summary>
    public static string ToLower(Rune rune) => Lowercase.TryGetValue(rune.Value, out var lower) ? lower : rune.ToString();

    /// <summary>Lower-cases every character of a text.</summary>
    public static string ToLower(string text)
    {
        var output = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes()) output.Append(ToLower(rune));
        return output.ToString();
    }

    /// <summary>A character's NFD decomposition without nonspacing marks.</summary>
    public static string StripAccents(Rune rune)
    {
        int cp = rune.Value;
        if (Stripped.TryGetValue(cp, out var stripped)) return stripped;
        if (InRanges(StrippedToNothingRanges, cp)) return "";
        if (cp is >= 0xAC00 and <= 0xD7A3) return HangulJamo(cp);
        return rune.ToString();
    }

    /// <summary>Unicode's Hangul syllable decomposition: S = 0xAC00 + (L·21 + V)·28 + T.</summary>
    private static string HangulJamo(int syllable)
    {
        int index = syllable - 0xAC00;
        var lead = (char)(0x1100 + index / (21 * 28));
        var vowel = (char)(0x1161 + index % (21 * 28) / 28);
        return index % 28 == 0 ? string.Concat(lead, vowel) : string.Concat(lead, vowel, (char)(0x11A7 + index % 28));
    }

    /// <summary>Whether <paramref name="cp"/> lies in one of the sorted [first, last] pairs of <paramref name="ranges"/>.</summary>
    private static bool InRanges(int[] ranges, int cp)
    {
        int low = 0, high = ranges.Length / 2 - 1;
        while (low <= high)
        {
            int middle = (low + high) >> 1;
            if (cp < ranges[2 * middle]) high = middle - 1;
            else if (cp > ranges[2 * middle + 1]) low = middle + 1;
            else return true;
        }
        return false;
    }
}
