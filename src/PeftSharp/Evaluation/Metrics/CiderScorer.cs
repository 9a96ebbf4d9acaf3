namespace PeftSharp.Evaluation.Metrics;

/// CIDEr-D as pycocoevalcap's CiderScorer computes it (n = 1..4, σ = 6): TF-IDF vectors of the
/// n-grams, the document frequency counted over the references of the evaluated set (an n-gram
/// counts once per segment), idf = ln(segments) − ln(max(1, df)); per n the clipped cosine
/// Σ min(h, r)·r / (|h|·|r|) times the Gaussian length penalty exp(−Δ²/2σ²); the mean over n,
/// averaged over the references, times 10; the corpus score is the mean over segments.
/// Δ is the difference of the bigram counts (pycocoevalcap counts "length" from bigrams).
internal static class CiderScorer
{
    private const int MaxOrder = 4;
    private const double Sigma = 6.0;

    public static double Score(IReadOnlyList<string[]> hypotheses, IReadOnlyList<string[][]> references)
    {
        var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var segmentReferences in references)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var reference in segmentReferences)
                seen.UnionWith(Mteval.NgramCounts(reference, MaxOrder).Keys);
            foreach (var ngram in seen) documentFrequency[ngram] = documentFrequency.GetValueOrDefault(ngram) + 1;
        }
        double logSegments = Math.Log(references.Count);

        double sum = 0;
        for (int s = 0; s < hypotheses.Count; s++)
        {
            var hypothesis = new Vector(hypotheses[s], documentFrequency, logSegments);
            var perOrder = new double[MaxOrder];
            foreach (var reference in references[s])
            {
                var target = new Vector(reference, documentFrequency, logSegments);
                double delta = hypothesis.BigramCount - target.BigramCount;
                double penalty = Math.Exp(-(delta * delta) / (2 * Sigma * Sigma));
                for (int n = 0; n < MaxOrder; n++)
                {
                    double dot = 0;
                    foreach (var (ngram, weight) in hypothesis.Weights[n])
                        if (target.Weights[n].TryGetValue(ngram, out double referenceWeight))
                            dot += Math.Min(weight, referenceWeight) * referenceWeight;
                    if (hypothesis.Norms[n] != 0 && target.Norms[n] != 0) dot /= hypothesis.Norms[n] * target.Norms[n];
                    perOrder[n] += dot * penalty;
                }
            }
            sum += perOrder.Average() / references[s].Length * 10.0;
        }
        return sum / hypotheses.Count;
    }

    /// The TF-IDF weights of one sentence, per n-gram order, with their Euclidean norms.
    private sealed class Vector
    {
        public readonly Dictionary<string, double>[] Weights = new Dictionary<string, double>[MaxOrder];
        public readonly double[] Norms = new double[MaxOrder];
        public readonly int BigramCount;

        public Vector(string[] tokens, Dictionary<string, int> documentFrequency, double logSegments)
        {
            for (int n = 0; n < MaxOrder; n++) Weights[n] = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (ngram, count) in Mteval.NgramCounts(tokens, MaxOrder))
            {
                int n = ngram.AsSpan().Count(' ');
                double weight = count * (logSegments - Math.Log(Math.Max(1.0, documentFrequency.GetValueOrDefault(ngram))));
                Weights[n][ngram] = weight;
                Norms[n] += weight * weight;
                if (n == 1) BigramCount += count;
            }
            for (int n = 0; n < MaxOrder; n++) Norms[n] = Math.Sqrt(Norms[n]);
        }
    }
}
