namespace PeftSharp.Evaluation.Metrics;

/// Corpus BLEU and NIST as computed by the E2E challenge's mteval-v13a-sig.pl: one document, one
/// system, the references of each segment as separate reference sets (missing ones empty).
/// Inputs are MtevalTokenizer tokens: hypotheses[s], references[s][k].
internal static class Mteval
{
    private const int BleuOrder = 4;
    private const int NistOrder = 5;

    /// BLEU-4 with mteval's defaults: clipped n-gram matches against the per-n-gram maximum over
    /// the references, brevity penalty against the closest reference length (ties → shorter), and
    /// mteval 13a's smoothing: a zero match count for order n counts as 1/2^k (k = 1, 2, … for
    /// successive zero orders); an order with no hypothesis n-grams counts as precision 1.
    public static double Bleu(IReadOnlyList<string[]> hypotheses, IReadOnlyList<string[][]> references)
    {
        var matches = new long[BleuOrder + 1];
        var hypothesisNgrams = new long[BleuOrder + 1];
        long referenceLength = 0;
        for (int s = 0; s < hypotheses.Count; s++)
        {
            string[] hypothesis = hypotheses[s];
            var maxReferenceCounts = MaxCounts(references[s], BleuOrder);
            foreach (var (ngram, count) in NgramCounts(hypothesis, BleuOrder))
                if (maxReferenceCounts.TryGetValue(ngram, out int referenceCount))
                    matches[Order(ngram)] += Math.Min(count, referenceCount);
            for (int n = 1; n <= BleuOrder; n++) hypothesisNgrams[n] += Math.Max(hypothesis.Length - n + 1, 0);
            referenceLength += ClosestReferenceLength(hypothesis.Length, references[s]);
        }

        double lengthFactor = hypothesisNgrams[1] > 0
            ? Math.Exp(Math.Min(0.0, 1.0 - (double)referenceLength / hypothesisNgrams[1]))
            : 0.0;
        double logSum = 0, smooth = 1;
        for (int n = 1; n <= BleuOrder; n++)
        {
            if (hypothesisNgrams[n] == 0) continue; // log precision 0
            if (matches[n] == 0)
            {
                smooth *= 2;
                logSum += Math.Log(1.0 / (smooth * hypothesisNgrams[n]));
            }
            else logSum += Math.Log((double)matches[n] / hypothesisNgrams[n]);
        }
        return Math.Exp(logSum / BleuOrder) * lengthFactor;
    }

    /// NIST-5: Σ_n Σ_matched info(ngram)·clipped count / (hypothesis n-grams), times
    /// exp(−β·ln²(min(1, L_hyp / L̄_ref))), β chosen so that a length ratio of 2/3 costs a factor 0.5.
    /// info(w1..wn) = log2(count(w1..wn−1) / count(w1..wn)) over all reference segments (unigrams:
    /// total reference words / count). L̄_ref = total reference words / (non-empty references per
    /// segment, averaged over segments), as the E2E-modified script computes it.
    public static double Nist(IReadOnlyList<string[]> hypotheses, IReadOnlyList<string[][]> references)
    {
        var corpusCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        long totalReferenceWords = 0, nonEmptyReferences = 0;
        foreach (var segmentReferences in references)
            foreach (var reference in segmentReferences)
            {
                totalReferenceWords += reference.Length;
                if (reference.Length > 0) nonEmptyReferences++;
                foreach (var (ngram, count) in NgramCounts(reference, NistOrder))
                    corpusCounts[ngram] = corpusCounts.GetValueOrDefault(ngram) + count;
            }
        if (totalReferenceWords == 0)
            throw new PeftSharpException("NIST: every reference is empty after tokenisation; the score is undefined (mteval-v13a.pl divides by zero).");

        var matchedInformation = new double[NistOrder + 1];
        var hypothesisNgrams = new long[NistOrder + 1];
        for (int s = 0; s < hypotheses.Count; s++)
        {
            var maxReferenceCounts = MaxCounts(references[s], NistOrder);
            foreach (var (ngram, count) in NgramCounts(hypotheses[s], NistOrder))
                if (maxReferenceCounts.TryGetValue(ngram, out int referenceCount))
                    matchedInformation[Order(ngram)] += Information(ngram, corpusCounts, totalReferenceWords) * Math.Min(count, referenceCount);
            for (int n = 1; n <= NistOrder; n++) hypothesisNgrams[n] += Math.Max(hypotheses[s].Length - n + 1, 0);
        }

        double score = 0;
        for (int n = 1; n <= NistOrder; n++) score += matchedInformation[n] / Math.Max(hypothesisNgrams[n], 1);
        double averageReferencesPerSegment = (double)nonEmptyReferences / hypotheses.Count;
        double averageReferenceLength = totalReferenceWords / averageReferencesPerSegment;
        return score * NistLengthPenalty(hypothesisNgrams[1] / averageReferenceLength);
    }

    /// mteval's length: the first reference's length, then the closest non-empty reference length
    /// (ties → the shorter); an empty reference other than the first is ignored.
    internal static int ClosestReferenceLength(int hypothesisLength, string[][] references)
    {
        int best = references[0].Length;
        for (int k = 1; k < references.Length; k++)
        {
            int length = references[k].Length;
            if (length == 0) continue;
            int distance = Math.Abs(hypothesisLength - length), bestDistance = Math.Abs(hypothesisLength - best);
            if (distance < bestDistance || (distance == bestDistance && length < best)) best = length;
        }
        return best;
    }

    private static double Information(string ngram, Dictionary<string, long> corpusCounts, long totalReferenceWords)
    {
        int lastSpace = ngram.LastIndexOf(' ');
        string prefix = lastSpace < 0 ? "" : ngram[..lastSpace];
        // Perl tests the prefix string for truth: "" and "0" are both false, so a bigram "0 x"
        // is informed by the total word count. Kept for identical scores.
        long context = prefix is "" or "0" ? totalReferenceWords : corpusCounts[prefix];
        return -Math.Log((double)corpusCounts[ngram] / context) / Math.Log(2);
    }

    private static double NistLengthPenalty(double ratio)
    {
        if (ratio >= 1) return 1;
        if (ratio <= 0) return 0;
        double beta = -Math.Log(0.5) / Math.Log(1.5) / Math.Log(1.5);
        return Math.Exp(-beta * Math.Log(ratio) * Math.Log(ratio));
    }

    private static int Order(string ngram) => ngram.AsSpan().Count(' ') + 1;

    /// Counts of all n-grams of order 1..maxOrder, keyed by their tokens joined with spaces.
    internal static Dictionary<string, int> NgramCounts(string[] tokens, int maxOrder)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int start = 0; start < tokens.Length; start++)
        {
            string ngram = tokens[start];
            counts[ngram] = counts.GetValueOrDefault(ngram) + 1;
            for (int n = 2; n <= maxOrder && start + n <= tokens.Length; n++)
            {
                ngram += " " + tokens[start + n - 1];
                counts[ngram] = counts.GetValueOrDefault(ngram) + 1;
            }
        }
        return counts;
    }

    private static Dictionary<string, int> MaxCounts(string[][] references, int maxOrder)
    {
        var max = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var reference in references)
            foreach (var (ngram, count) in NgramCounts(reference, maxOrder))
                if (count > max.GetValueOrDefault(ngram)) max[ngram] = count;
        return max;
    }
}
