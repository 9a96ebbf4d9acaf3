namespace PeftSharp.Evaluation.Metrics;

/// METEOR 1.5 with the English "rank" parameters (α 0.85, β 0.2, γ 0.6, δ 0.75, module weights
/// exact 1.0, stem 0.6) over Meteor-normalised text, restricted to the exact and stem modules
/// (no WordNet synonyms, no paraphrase table; see METRICS.md). Each segment keeps the reference
/// with the best segment score; the corpus score is computed from the summed statistics of those
/// alignments, as the E2E-modified pycocoevalcap wrapper does (not the mean of segment scores).
internal static class MeteorScorer
{
    /// Corpus METEOR. Inputs are CocoTokenizer tokens (lower-cased PTB tokens).
    public static double Score(IReadOnlyList<string[]> hypotheses, IReadOnlyList<string[][]> references)
    {
        var total = new MeteorStatistics();
        for (int s = 0; s < hypotheses.Count; s++) total.Add(SegmentStatistics(hypotheses[s], references[s]));
        return total.Score();
    }

    /// The statistics of the reference that gives the best segment score (first one on ties).
    internal static MeteorStatistics SegmentStatistics(string[] hypothesis, string[][] references)
    {
        string[] test = MeteorNormalizer.Normalize(string.Join(' ', hypothesis));
        MeteorStatistics? best = null;
        double bestScore = -1;
        foreach (var reference in references)
        {
            var statistics = MeteorAligner.Align(test, MeteorNormalizer.Normalize(string.Join(' ', reference)));
            double score = statistics.Score();
            if (score > bestScore) (best, bestScore) = (statistics, score);
        }
        return best!;
    }
}
