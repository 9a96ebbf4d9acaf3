using System.Globalization;
using System.Text;

namespace PeftSharp.Tokenization;

/// <summary>
/// HF BERT's accent stripping — Unicode NFD, then drop nonspacing marks (Mn) — without the runtime's normalization,
/// which InvariantGlobalization turns off: a generated per-code-point table (AccentStripping.Generated.cs, from
/// Python's unicodedata) plus the algorithmic decomposition of Hangul syllables into jamo.
/// </summary>
internal static partial class AccentStripping
{
    // Built on first use: static initializers of partial class parts run in no defined order.
    private static Dictionary<int, string>? _map;
    private static Dictionary<int, string> Map => _map ??= Table.ToDictionary(e => e.CodePoint, e => e.Stripped);

    public static string Strip(string text)
    {
        var output = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.NonSpacingMark) continue;
            if (Map.TryGetValue(rune.Value, out var stripped)) output.Append(stripped);
            else if (rune.Value is >= 0xAC00 and <= 0xD7A3) AppendHangulJamo(rune.Value, output);
            else output.Append(rune.ToString());
        }
        return output.ToString();
    }

    /// <summary>Unicode's Hangul syllable decomposition: S = 0xAC00 + (L·21 + V)·28 + T.</summary>
    private static void AppendHangulJamo(int syllable, StringBuilder output)
    {
        int index = syllable - 0xAC00;
        output.Append((char)(0x1100 + index / (21 * 28)));
        output.Append((char)(0x1161 + index % (21 * 28) / 28));
        if (index % 28 != 0) output.Append((char)(0x11A7 + index % 28));
    }
}
