using System.Text.RegularExpressions;

namespace PeftSharp.Evaluation.Metrics;

/// The text normalisation of NIST mteval-v13a.pl (default, non-international tokenisation, case
/// folded) as the E2E metrics script applies it to every hypothesis and reference before BLEU and
/// NIST. The script first embeds the text unescaped in SGML, whose reader collapses whitespace runs.
internal static partial class MtevalTokenizer
{
    public static string[] Tokenize(string text)
    {
        string t = Whitespace().Replace(text, " "); // SGML reading: [\s\n\r]+ → ' ' (Perl \s = Unicode space)
        t = t.Replace("<skipped>", "");
        t = t.Replace("-\n", "").Replace("\n", " ");
        t = t.Replace("&quot;", "\"").Replace("&amp;", "&").Replace("&lt;", "<").Replace("&gt;", ">");
        t = AsciiLower(" " + t + " "); // tr/[A-Z]/[a-z]/ folds ASCII letters only
        t = Punctuation().Replace(t, " $1 ");
        t = PeriodCommaAfterNonDigit().Replace(t, "$1 $2 ");
        t = PeriodCommaBeforeNonDigit().Replace(t, " $1 $2");
        t = DashAfterDigit().Replace(t, "$1 $2 ");
        t = Whitespace().Replace(t, " ").Trim(' ');
        return t.Length == 0 ? [] : t.Split(' ');
    }

    private static string AsciiLower(string s) => string.Create(s.Length, s, static (span, source) =>
    {
        for (int i = 0; i < span.Length; i++)
            span[i] = source[i] is >= 'A' and <= 'Z' ? (char)(source[i] + 32) : source[i];
    });

    // {|}~  [\]^_`  space!"#$%&  ()*+  :;<=>?@  /
    [GeneratedRegex(@"([\x7B-\x7E\x5B-\x60\x20-\x26\x28-\x2B\x3A-\x40\x2F])")]
    private static partial Regex Punctuation();

    [GeneratedRegex(@"([^0-9])([.,])")]
    private static partial Regex PeriodCommaAfterNonDigit();

    [GeneratedRegex(@"([.,])([^0-9])")]
    private static partial Regex PeriodCommaBeforeNonDigit();

    [GeneratedRegex(@"([0-9])(-)")]
    private static partial Regex DashAfterDigit();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
