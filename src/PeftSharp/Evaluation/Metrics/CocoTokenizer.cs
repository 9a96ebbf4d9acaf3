using System.Text;
using System.Text.RegularExpressions;

namespace PeftSharp.Evaluation.Metrics;

/// The tokenisation pycocoevalcap applies before METEOR, ROUGE-L and CIDEr: Stanford CoreNLP
/// 3.4.1's PTBTokenizer (-preserveLines -lowerCase), then removal of the punctuation tokens in
/// pycocoevalcap's list. This is a re-implementation of the PTB rules that matter for ordinary
/// English text (checked token for token against the real tokenizer in the metrics fixture);
/// METRICS.md lists the constructs where it differs (URLs, e-mail addresses, emoticons, …).
internal static partial class CocoTokenizer
{
    // pycocoevalcap's PUNCTUATIONS. It is compared with lower-cased tokens, so "-LRB-" etc. never
    // match and "-lrb-" survives, exactly as in the official pipeline.
    private static readonly HashSet<string> Removed = new(StringComparer.Ordinal)
        { "''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-", "--", "...", ";" };

    // Words PTB keeps with their final period (besides acronyms such as "u.s." and single letters).
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "dr", "prof", "st", "mt", "jr", "sr", "inc", "ltd", "co", "corp", "etc", "vs",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "gen", "gov", "sen", "rep", "rev", "capt", "col", "lt", "sgt", "ave", "blvd", "bros", "messrs",
    };

    private static readonly string[] Clitics = ["'s", "'m", "'d", "'re", "'ve", "'ll", "n't"];

    // Words PTB splits in two (case-insensitive): cannot → can not, gonna → gon na, …
    private static readonly Dictionary<string, int> SplitWords = new(StringComparer.OrdinalIgnoreCase)
    { ["cannot"] = 3, ["gonna"] = 3, ["gotta"] = 3, ["wanna"] = 3, ["lemme"] = 3, ["gimme"] = 3 };

    public static string[] Tokenize(string text)
    {
        var tokens = new List<string>();
        foreach (string chunk in Normalize(text).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            ScanChunk(chunk, tokens);
        return tokens.Select(t => t.ToLowerInvariant()).Where(t => !Removed.Contains(t)).ToArray();
    }

    private static string Normalize(string text)
    {
        // The SGML entities PTB decodes; &lt; and &gt; become stand-alone tokens.
        text = AmpersandEntity().Replace(text, "&").Replace("&quot;", "\"").Replace("&apos;", "'")
            .Replace("&lt;", " < ").Replace("&gt;", " > ");
        var sb = new StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            string? replacement = c switch
            {
                '\u2019' => "'",          // ’ apostrophe / closing quote
                '\u2018' => "`",          // ‘ opening quote
                '\u201C' or '\u201D' => "\"",
                '\u2013' or '\u2014' => " -- ",
                '\u2026' => " ... ",
                _ when char.IsWhiteSpace(c) => " ",
                _ => null,
            };
            if (replacement is null) sb.Append(c);
            else sb.Append(replacement);
        }
        return sb.ToString();
    }

    /// Splits a whitespace-free chunk at the punctuation that always stands alone. Works with
    /// indices, not recursion or repeated substrings: a long run of brackets stays linear.
    private static void ScanChunk(string s, List<string> output)
    {
        int position = 0;
        while (position < s.Length)
        {
            if (IsWhole(s.AsSpan(position))) { output.Add(s[position..]); return; }
            int start = FindSeparator(s, position, out int length);
            if (start < 0) { ScanWord(s[position..], output); return; }
            if (start > position) ScanWord(s[position..start], output);
            output.Add(SeparatorToken(s.Substring(start, length)));
            position = start + length;
        }
    }

    /// A piece without stand-alone punctuation: peels leading hyphens and opening quotes, trailing
    /// hyphens, closing quotes, sentence periods and clitics, and splits cannot/gonna/….
    private static void ScanWord(string word, List<string> output)
    {
        var peeledFromEnd = new Stack<string>();
        int begin = 0, end = word.Length; // the part still to scan: word[begin..end]
        while (begin < end)
        {
            ReadOnlySpan<char> s = word.AsSpan(begin, end - begin);
            if (IsWhole(s)) { output.Add(s.ToString()); break; }
            if (s[0] == '-' || (s[0] == '\'' && !(s.Length > 1 && char.IsDigit(s[1])))) // but '90s stays
            {
                output.Add(s[0] == '-' ? "-" : "`");
                begin++;
                continue;
            }
            char last = s[^1];
            if (last == '-' || last == '\'' || (last == '.' && s.Length > 1 && !IsAbbreviation(s[..^1].ToString())))
            {
                peeledFromEnd.Push(last.ToString());
                end--;
                continue;
            }
            int clitic = CliticLength(s);
            if (clitic > 0 && s.Length > clitic) // they'd've → they 'd 've
            {
                peeledFromEnd.Push(s[^clitic..].ToString());
                end -= clitic;
                continue;
            }
            string rest = s.ToString();
            if (SplitWords.TryGetValue(rest, out int cut)) { output.Add(rest[..cut]); output.Add(rest[cut..]); break; }
            output.Add(rest);
            break;
        }
        while (peeledFromEnd.Count > 0) output.Add(peeledFromEnd.Pop());
    }

    // A bare clitic ('s, n't) or capitals joined by & or + (AT&T) is one token as it stands.
    private static bool IsWhole(ReadOnlySpan<char> s) =>
        (CliticLength(s) == s.Length && s.Length > 0) || CapitalsJoinedByAmpersand().IsMatch(s);

    /// Length of the clitic ('s, n't, …) s ends with, or 0.
    private static int CliticLength(ReadOnlySpan<char> s)
    {
        foreach (string clitic in Clitics)
            if (s.EndsWith(clitic, StringComparison.OrdinalIgnoreCase)) return clitic.Length;
        return 0;
    }

    /// Position and length of the first stand-alone punctuation in s at or after from, or -1.
    private static int FindSeparator(string s, int from, out int length)
    {
        for (int i = from; i < s.Length; i++)
        {
            char c = s[i];
            length = 1;
            switch (c)
            {
                case '"' or '`' or '(' or ')' or '[' or ']' or '{' or '}' or ';' or '$' or '\u00A3' or '\u20AC' or '*' or '=':
                    return i;
                case var symbol when IsSymbol(symbol):
                    return i;
                case '!' or '?':
                    while (i + length < s.Length && s[i + length] is '!' or '?') length++;
                    return i;
                case ',' or ':':
                    bool betweenDigits = i > from && i + 1 < s.Length && char.IsAsciiDigit(s[i - 1]) && char.IsAsciiDigit(s[i + 1]);
                    if (!betweenDigits) return i;
                    break;
                case '-' or '.':
                    while (i + length < s.Length && s[i + length] == c) length++;
                    if (length >= 2) return i; // "--", "..."
                    i += length - 1;
                    break;
            }
        }
        length = 0;
        return -1;
    }

    private static string SeparatorToken(string separator) => separator switch
    {
        "\"" => "''",
        "(" => "-LRB-",
        ")" => "-RRB-",
        "[" => "-LSB-",
        "]" => "-RSB-",
        "{" => "-LCB-",
        "}" => "-RCB-",
        "\u00A3" => "#", // PTB's currency normalisation: £ → #, € → $
        "\u20AC" => "$",
        _ => separator,
    };

    // PTB's MISCSYMBOL class (its Latin-1, punctuation, letter-like, arrow and mathematical parts).
    private static bool IsSymbol(char c) =>
        "+%&~^|\\\u00A6\u00A7\u00A8\u00A9\u00AC\u00AE\u00AF\u00D7\u00F7\u203B\u2044\u3012\u30FB".Contains(c)
        || c is >= '\u00B0' and <= '\u00BA' || c is >= '\u2016' and <= '\u2017' || c is >= '\u2020' and <= '\u2023'
        || c is >= '\u2030' and <= '\u2038' || c is >= '\u203E' and <= '\u2042' || c is >= '\u207A' and <= '\u207F'
        || c is >= '\u208A' and <= '\u208E' || c is >= '\u2100' and <= '\u214F' || c is >= '\u2190' and <= '\u2BFF';

    [GeneratedRegex("^[A-Z]+([+&][A-Z]+)+$")]
    private static partial Regex CapitalsJoinedByAmpersand();

    [GeneratedRegex("&amp;", RegexOptions.IgnoreCase)]
    private static partial Regex AmpersandEntity();

    private static bool IsAbbreviation(string word) =>
        word.Contains('.') || (word.Length == 1 && char.IsLetter(word[0])) || Abbreviations.Contains(word);
}
