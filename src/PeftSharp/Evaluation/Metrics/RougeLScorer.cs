namespace PeftSharp.Evaluation.Metrics;

/// ROUGE-L as pycocoevalcap computes it: per segment, LCS-based precision and recall against
/// every reference, the maximum precision and the maximum recall (taken separately, possibly from
/// different references) combined as F_β with β = 1.2; the corpus score is the mean over segments.
internal static class RougeLScorer
{
    private const double Beta = 1.2;

    public static double Score(IReadOnlyList<string[]> hypotheses, IReadOnlyList<string[][]> references)
    {
        double sum = 0;
        for (int s = 0; s < hypotheses.Count; s++) sum += SegmentScore(hypotheses[s], references[s]);
        return sum / hypotheses.Count;
    }

    internal static double SegmentScore(string[] hypothesis, string[][] references)
    {
        // pycocoevalcap splits the tokenised text with split(" "): an empty text is one empty token.
        string[] candidate = AsSplitBySpace(hypothesis);
        double maxPrecision = 0, maxRecall = 0;
        foreach (var reference in references)
        {
            string[] tokens = AsSplitBySpace(reference);
            int lcs = LongestCommonSubsequence(tokens, candidate);
            maxPrecision = Math.Max(maxPrecision, (double)lcs / candidate.Length);
            maxRecall = Math.Max(maxRecall, (double)lcs / tokens.Length);
        }
        if (maxPrecision == 0 || maxRecall == 0) return 0.0;
        return (1 + Beta * Beta) * maxPrecision * maxRecall / (maxRecall + Beta * Beta * maxPrecision);
    }

    private static string[] AsSplitBySpace(string[] tokens) => tokens.Length == 0 ? [""] : tokens;

    internal static int LongestCommonSubsequence(string[] a, string[] b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
                current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : Math.Max(previous[j], current[j - 1]);
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
