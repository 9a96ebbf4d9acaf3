using System.Text;
using System.Text.RegularExpressions;

namespace PeftSharp.Evaluation.Metrics;

/// METEOR 1.5's English text normalisation ("-norm", punctuation kept), which the official
/// pipeline applies on top of the PTB tokens: symbols split off, quotes and dashes unified,
/// hyphens between words dropped (family-friendly → family friendly), contractions split
/// ('s → ' s), dots dropped from acronyms (u.s. → us). Java's regex classes are spelled out:
/// \p{Digit} and \p{Lower} are ASCII there, \s is [ \t\n\x0B\f\r].
internal static partial class MeteorNormalizer
{
    // Meteor's Latin + Cyrillic letter ranges.
    private const string Alpha = "A-Za-z\u0160\u017D\u0161\u017E\u0178\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u017E"
        + "\u0400-\u04FF\u0500-\u0527\uA640-\uA66E\uA67E-\uA697\u1D00-\u1D7F";
    private const string Alnum = "0-9" + Alpha;

    // The only lower-case entries of Meteor's English non-breaking prefix list ("pp" only before a
    // number); the text is lower-cased before it gets here, so capitalised entries never match.
    private static readonly HashSet<string> NonBreakingPrefixes = new(StringComparer.Ordinal) { "v", "vs", "rev" };
    private const string NumericOnlyPrefix = "pp";

    public static string[] Normalize(string line)
    {
        string t = " " + line + " ";
        t = SeparateOther().Replace(t, " $1 ");
        t = MultiDot().Replace(t, " DOTMULTI$1");
        while (t.Contains("DOTMULTI."))
        {
            t = MultiDot2().Replace(t, "DOTDOTMULTI $1");
            t = t.Replace("DOTMULTI.", "DOTDOTMULTI");
        }
        t = Comma1().Replace(t, "$1 , $2");
        t = Comma2().Replace(t, "$1 , $2");
        t = Comma3().Replace(t, "$1 , $2");
        t = SingleQuote().Replace(t, "'");
        t = DoubleQuote().Replace(t, " \" ");
        t = t.Replace("\u2013", "-").Replace("--", "-");
        t = DashBetweenWords().Replace(t, "$1 $2");
        t = Contraction1().Replace(t, "$1 ' $2");
        t = Contraction2().Replace(t, "$1 ' $2");
        t = Contraction3().Replace(t, "$1 ' $2");
        t = Contraction4().Replace(t, "$1 '$2");
        t = Contraction5().Replace(t, "$1 '$2");

        string[] words = t.Split([' ', '\t', '\n', '\r', '\f'], StringSplitOptions.RemoveEmptyEntries);
        var sb = new StringBuilder();
        for (int i = 0; i < words.Length; i++)
        {
            string word = words[i];
            if (word.Length > 1 && word.EndsWith('.'))
            {
                string prefix = word[..^1];
                bool nextIsLower = i < words.Length - 1 && words[i + 1][0] is >= 'a' and <= 'z';
                if (prefix.Contains('.') && HasAlpha().IsMatch(prefix)) sb.Append(word.Replace(".", "")); // u.s. → us
                else if (NonBreakingPrefixes.Contains(prefix) || nextIsLower) sb.Append(word);
                else if (prefix == NumericOnlyPrefix && i < words.Length - 1 && char.IsAsciiDigit(words[i + 1][0])) sb.Append(word);
                else sb.Append(prefix).Append(" .");
            }
            else sb.Append(word);
            sb.Append(' ');
        }
        t = sb.ToString();
        while (t.Contains("DOTDOTMULTI")) t = t.Replace("DOTDOTMULTI", "DOTMULTI.");
        t = t.Replace("DOTMULTI", ".");
        t = Whitespace().Replace(t, " ").Trim(JavaTrimmed);
        return t.ToLowerInvariant().Split([' ', '\t', '\n', '\r', '\f'], StringSplitOptions.RemoveEmptyEntries);
    }

    // Java's String.trim() removes every character up to U+0020.
    private static readonly char[] JavaTrimmed = Enumerable.Range(0, 0x21).Select(c => (char)c).ToArray();

    [GeneratedRegex("([^" + Alnum + @" \t\n\x0B\f\r\.'`,\-\u2018\u2019])")]
    private static partial Regex SeparateOther();

    [GeneratedRegex(@"\.([\.]+)")]
    private static partial Regex MultiDot();

    [GeneratedRegex(@"DOTMULTI\.([^\.])")]
    private static partial Regex MultiDot2();

    [GeneratedRegex("([^0-9]),([^0-9])")]
    private static partial Regex Comma1();

    [GeneratedRegex("([0-9]),([^0-9])")]
    private static partial Regex Comma2();

    [GeneratedRegex("([^0-9]),([0-9])")]
    private static partial Regex Comma3();

    [GeneratedRegex("([`\u2018\u2019])")]
    private static partial Regex SingleQuote();

    [GeneratedRegex("([\u201C\u201D]|'')")]
    private static partial Regex DoubleQuote();

    [GeneratedRegex("([" + Alnum + @"\.])[\-]([" + Alnum + "])")]
    private static partial Regex DashBetweenWords();

    [GeneratedRegex("([^" + Alpha + "])[']([^" + Alpha + "])")]
    private static partial Regex Contraction1();

    [GeneratedRegex("([^" + Alpha + "0-9])[']([" + Alpha + "])")]
    private static partial Regex Contraction2();

    [GeneratedRegex("([" + Alpha + "])[']([^" + Alpha + "])")]
    private static partial Regex Contraction3();

    [GeneratedRegex("([" + Alpha + "])[']([" + Alpha + "])")]
    private static partial Regex Contraction4();

    [GeneratedRegex("([0-9])[']([s])")]
    private static partial Regex Contraction5();

    [GeneratedRegex("[" + Alpha + "]")]
    private static partial Regex HasAlpha();

    [GeneratedRegex("[ \u2000-\u200A\u202F\u205F\u3000\u00A0]+")]
    private static partial Regex Whitespace();
}
