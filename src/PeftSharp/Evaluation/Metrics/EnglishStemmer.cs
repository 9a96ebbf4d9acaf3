using System.Text;

namespace PeftSharp.Evaluation.Metrics;

/// The Snowball English ("Porter2") stemmer, the stemmer METEOR 1.5 uses for English stem
/// matches, written from the published algorithm (snowballstem.org/algorithms/english). Input is
/// a lower-cased word; words shorter than three letters are returned unchanged.
internal static class EnglishStemmer
{
    private static readonly Dictionary<string, string> Exceptions = new(StringComparer.Ordinal)
    {
        ["skis"] = "ski", ["skies"] = "sky", ["dying"] = "die", ["lying"] = "lie", ["tying"] = "tie",
        ["idly"] = "idl", ["gently"] = "gentl", ["ugly"] = "ugli", ["early"] = "earli", ["only"] = "onli",
        ["singly"] = "singl", ["sky"] = "sky", ["news"] = "news", ["howe"] = "howe",
        ["atlas"] = "atlas", ["cosmos"] = "cosmos", ["bias"] = "bias", ["andes"] = "andes",
    };

    // Words left alone after step 1a.
    private static readonly HashSet<string> Invariant = new(StringComparer.Ordinal)
        { "inning", "outing", "canning", "herring", "earring", "proceed", "exceed", "succeed" };

    private static readonly string[] RegionPrefixes = ["gener", "commun", "arsen"];

    private static readonly (string Suffix, string Replacement)[] Step2Rules =
    [
        ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("abli", "able"), ("entli", "ent"),
        ("izer", "ize"), ("ization", "ize"), ("ational", "ate"), ("ation", "ate"), ("ator", "ate"),
        ("alism", "al"), ("aliti", "al"), ("alli", "al"), ("fulness", "ful"), ("ousli", "ous"),
        ("ousness", "ous"), ("iveness", "ive"), ("iviti", "ive"), ("biliti", "ble"), ("bli", "ble"),
        ("ogi", "og"), ("fulli", "ful"), ("lessli", "less"), ("li", ""),
    ];

    private static readonly (string Suffix, string Replacement)[] Step3Rules =
    [
        ("tional", "tion"), ("ational", "ate"), ("alize", "al"), ("icate", "ic"), ("iciti", "ic"),
        ("ical", "ic"), ("ful", ""), ("ness", ""), ("ative", ""),
    ];

    private static readonly string[] Step4Suffixes =
        ["al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ism", "ate", "iti", "ous", "ive", "ize", "ion"];

    public static string Stem(string word)
    {
        if (Exceptions.TryGetValue(word, out var special)) return special;
        if (word.Length < 3) return word;

        var w = new StringBuilder(word);
        if (w[0] == '\'') w.Remove(0, 1);
        if (w.Length > 0 && w[0] == 'y') w[0] = 'Y';
        for (int i = 1; i < w.Length; i++)
            if (w[i] == 'y' && IsVowel(w[i - 1])) w[i] = 'Y';
        var (p1, p2) = MarkRegions(w);

        Step1a(w);
        if (!Invariant.Contains(w.ToString()))
        {
            Step1b(w, p1);
            Step1c(w);
            ApplyRules(w, Step2Rules, p1, p2, step: 2);
            ApplyRules(w, Step3Rules, p1, p2, step: 3);
            Step4(w, p2);
            Step5(w, p1, p2);
        }
        return w.ToString().Replace('Y', 'y');
    }

    private static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u' or 'y';

    private static bool IsDouble(StringBuilder w) =>
        w.Length >= 2 && w[^1] == w[^2] && w[^1] is 'b' or 'd' or 'f' or 'g' or 'm' or 'n' or 'p' or 'r' or 't';

    /// R1 starts after the first non-vowel that follows a vowel (or after gener/commun/arsen);
    /// R2 is the same rule applied inside R1. Both are the word length when there is no such place.
    private static (int P1, int P2) MarkRegions(StringBuilder w)
    {
        string s = w.ToString();
        int p1 = -1;
        foreach (var prefix in RegionPrefixes)
            if (s.StartsWith(prefix, StringComparison.Ordinal)) { p1 = prefix.Length; break; }
        if (p1 < 0) p1 = AfterVowelThenNonVowel(s, 0);
        return (p1, AfterVowelThenNonVowel(s, p1));
    }

    private static int AfterVowelThenNonVowel(string s, int from)
    {
        int i = from;
        while (i < s.Length && !IsVowel(s[i])) i++;
        while (i < s.Length && IsVowel(s[i])) i++;
        return i < s.Length ? i + 1 : s.Length;
    }

    /// True when the word (first `length` letters) ends in a short syllable: non-vowel, vowel,
    /// non-vowel other than w, x, Y; or a vowel then a non-vowel that make up the whole word.
    private static bool EndsInShortSyllable(StringBuilder w, int length)
    {
        if (length >= 3 && !IsVowel(w[length - 3]) && IsVowel(w[length - 2])
            && !IsVowel(w[length - 1]) && w[length - 1] is not ('w' or 'x' or 'Y'))
            return true;
        return length == 2 && IsVowel(w[0]) && !IsVowel(w[1]);
    }

    private static bool EndsWith(StringBuilder w, string suffix)
    {
        if (w.Length < suffix.Length) return false;
        for (int i = 0; i < suffix.Length; i++)
            if (w[w.Length - suffix.Length + i] != suffix[i]) return false;
        return true;
    }

    private static void Replace(StringBuilder w, int suffixLength, string replacement)
    {
        w.Length -= suffixLength;
        w.Append(replacement);
    }

    private static bool HasVowel(StringBuilder w, int end)
    {
        for (int i = 0; i < end; i++)
            if (IsVowel(w[i])) return true;
        return false;
    }

    private static void Step1a(StringBuilder w)
    {
        foreach (var apostrophe in new[] { "'s'", "'s", "'" })
            if (EndsWith(w, apostrophe)) { w.Length -= apostrophe.Length; break; }

        if (EndsWith(w, "sses")) Replace(w, 4, "ss");
        else if (EndsWith(w, "ied") || EndsWith(w, "ies")) Replace(w, 3, w.Length > 4 ? "i" : "ie");
        else if (EndsWith(w, "us") || EndsWith(w, "ss")) { }
        else if (EndsWith(w, "s") && HasVowel(w, w.Length - 2)) w.Length -= 1; // a vowel before the letter preceding s
    }

    private static void Step1b(StringBuilder w, int p1)
    {
        string? suffix = Longest(w, ["eed", "eedly", "ed", "edly", "ing", "ingly"]);
        if (suffix is null) return;
        int start = w.Length - suffix.Length;
        if (suffix.StartsWith("eed", StringComparison.Ordinal))
        {
            if (start >= p1) Replace(w, suffix.Length, "ee");
            return;
        }
        if (!HasVowel(w, start)) return;
        w.Length = start;
        if (EndsWith(w, "at") || EndsWith(w, "bl") || EndsWith(w, "iz")) w.Append('e');
        else if (IsDouble(w)) w.Length -= 1;
        else if (p1 == w.Length && EndsInShortSyllable(w, w.Length)) w.Append('e');
    }

    private static void Step1c(StringBuilder w)
    {
        if (w.Length >= 3 && w[^1] is 'y' or 'Y' && !IsVowel(w[^2])) w[^1] = 'i';
    }

    private static void ApplyRules(StringBuilder w, (string Suffix, string Replacement)[] rules, int p1, int p2, int step)
    {
        int best = -1;
        for (int r = 0; r < rules.Length; r++)
            if (EndsWith(w, rules[r].Suffix) && (best < 0 || rules[r].Suffix.Length > rules[best].Suffix.Length)) best = r;
        if (best < 0) return;
        var (suffix, replacement) = rules[best];
        int start = w.Length - suffix.Length;
        if (start < p1) return;
        bool allowed = (step, suffix) switch
        {
            (2, "ogi") => start > 0 && w[start - 1] == 'l',
            (2, "li") => start > 0 && w[start - 1] is 'c' or 'd' or 'e' or 'g' or 'h' or 'k' or 'm' or 'n' or 'r' or 't',
            (3, "ative") => start >= p2,
            _ => true,
        };
        if (allowed) Replace(w, suffix.Length, replacement);
    }

    private static void Step4(StringBuilder w, int p2)
    {
        string? suffix = Longest(w, Step4Suffixes);
        if (suffix is null) return;
        int start = w.Length - suffix.Length;
        if (start < p2) return;
        if (suffix == "ion" && !(start > 0 && w[start - 1] is 's' or 't')) return;
        w.Length = start;
    }

    private static void Step5(StringBuilder w, int p1, int p2)
    {
        if (w.Length == 0) return;
        int start = w.Length - 1;
        if (w[^1] == 'e' && (start >= p2 || (start >= p1 && !EndsInShortSyllable(w, start)))) w.Length = start;
        else if (w[^1] == 'l' && start >= p2 && start > 0 && w[start - 1] == 'l') w.Length = start;
    }

    private static string? Longest(StringBuilder w, string[] suffixes)
    {
        string? best = null;
        foreach (var suffix in suffixes)
            if (EndsWith(w, suffix) && (best is null || suffix.Length > best.Length)) best = suffix;
        return best;
    }
}
