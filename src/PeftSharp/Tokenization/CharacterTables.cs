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
    private static Dictionary<int, string>? lowercase, stripped;
    private static Dictionary<int, string> Lowercase => lowercase ??= LowercaseTable.ToDictionary(e => e.CodePoint, e => e.Value);
    private static Dictionary<int, string> Stripped => stripped ??= StrippedTable.ToDictionary(e => e.CodePoint, e => e.Value);

    [Flags]
    private enum Facts : byte { None = 0, Removed = 1, Whitespace = 2, Cjk = 4, Punctuation = 8, Cased = 16, Accented = 32 }

    /// <summary>The facts of every BMP character, looked up once: text is mostly BMP, and ranges cost a binary search each.</summary>
    private static Facts[]? bmp;
    private static Facts[] Bmp => bmp ??= Enumerable.Range(0, 0x10000).Select(cp => cp is >= 0xD800 and <= 0xDFFF ? Facts.None : Compute(cp)).ToArray();

    private static Facts Compute(int cp) =>
        (InRanges(RemovedByBertCleanUpRanges, cp) ? Facts.Removed : 0) | (InRanges(WhitespaceRanges, cp) ? Facts.Whitespace : 0)
        | (InRanges(CjkIdeographRanges, cp) ? Facts.Cjk : 0) | (InRanges(BertPunctuationRanges, cp) ? Facts.Punctuation : 0)
        | (Lowercase.ContainsKey(cp) ? Facts.Cased : 0)
        | (Stripped.ContainsKey(cp) || InRanges(StrippedToNothingRanges, cp) || cp is >= 0xAC00 and <= 0xD7A3 ? Facts.Accented : 0);

    private static Facts Of(int cp) => cp < 0x10000 ? Bmp[cp] : Compute(cp);

    public static bool IsRemovedByBertCleanUp(int cp) => (Of(cp) & Facts.Removed) != 0;
    public static bool IsWhitespace(int cp) => (Of(cp) & Facts.Whitespace) != 0;
    public static bool IsCjkIdeograph(int cp) => (Of(cp) & Facts.Cjk) != 0;
    public static bool IsBertPunctuation(int cp) => (Of(cp) & Facts.Punctuation) != 0;

    /// <summary>Appends the lower-case form of a character (full mapping: "İ" → "i̇").</summary>
    public static void AppendLower(Rune rune, StringBuilder output)
    {
        if ((Of(rune.Value) & Facts.Cased) != 0) output.Append(Lowercase[rune.Value]);
        else AppendRune(rune, output);
    }

    /// <summary>Appends a character, without allocating a string for it.</summary>
    public static void AppendRune(Rune rune, StringBuilder output)
    {
        if (rune.IsBmp) output.Append((char)rune.Value);
        else output.Append(rune.ToString());
    }

    /// <summary>Lower-cases every character of a text.</summary>
    public static string ToLower(string text)
    {
        var output = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes()) AppendLower(rune, output);
        return output.ToString();
    }

    /// <summary>Whether accent stripping leaves the character as it is.</summary>
    public static bool KeepsAccents(Rune rune) => (Of(rune.Value) & Facts.Accented) == 0;

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
