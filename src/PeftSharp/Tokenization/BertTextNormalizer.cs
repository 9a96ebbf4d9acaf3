using System.Text;

namespace PeftSharp.Tokenization;

/// <summary>
/// HF's BertNormalizer, in its order: clean-up (drops NUL, U+FFFD and what HF counts as control characters — every
/// "other" category but tab, newline and carriage return; every whitespace character becomes a space), spaces around
/// CJK ideographs, accent stripping (NFD without nonspacing marks), lower-casing (per character, full mapping: "İ" →
/// "i̇"). What counts as what is HF's own per-character answer, in <see cref="CharacterTables"/>.
/// </summary>
internal sealed class BertTextNormalizer(bool lowerCase, bool stripAccents, bool spaceCjk)
{
    public string Normalize(string text)
    {
        var output = new StringBuilder(text.Length + 8);
        foreach (var rune in text.EnumerateRunes())
        {
            int cp = rune.Value;
            if (cp is 0 or 0xFFFD || CharacterTables.IsRemovedByBertCleanUp(cp)) continue;
            if (CharacterTables.IsWhitespace(cp))
            {
                output.Append(' ');
                continue;
            }
            bool cjk = spaceCjk && CharacterTables.IsCjkIdeograph(cp);
            if (cjk) output.Append(' ');
            if (stripAccents && !CharacterTables.KeepsAccents(rune))
            {
                foreach (var stripped in CharacterTables.StripAccents(rune).EnumerateRunes()) AppendCased(stripped, output);
            }
            else
            {
                AppendCased(rune, output);
            }
            if (cjk) output.Append(' ');
        }
        return output.ToString();
    }

    private void AppendCased(Rune rune, StringBuilder output)
    {
        if (lowerCase) CharacterTables.AppendLower(rune, output);
        else CharacterTables.AppendRune(rune, output);
    }
}
