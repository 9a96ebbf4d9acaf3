using PeftSharp.Evaluation.Metrics;

namespace PeftSharp.Tests.Evaluation.Metrics;

public class E2EMetricsTests
{
    private static IReadOnlyList<IReadOnlyList<string>> Refs(params string[][] groups) => groups;

    [Fact]
    public void Bleu_of_a_hand_computed_segment()
    {
        // hyp "the cat sat on a mat" vs ref "the cat sat on the mat" (6 words each, brevity factor 1):
        // 1-grams 5/6 (the clipped to 1… "a" unmatched), 2-grams 3/5, 3-grams 2/4, 4-grams 1/3
        // BLEU = (5/6 · 3/5 · 2/4 · 1/3)^(1/4) = (1/12)^(1/4)
        double bleu = E2EMetrics.Bleu(["the cat sat on a mat"], Refs(["the cat sat on the mat"]));
        Assert.Equal(Math.Pow(1.0 / 12, 0.25), bleu, 14);
    }

    [Fact]
    public void Bleu_smooths_missing_orders_like_mteval_13a()
    {
        // hyp "a b c" vs ref "a b d e": 1-grams 2/3, 2-grams 1/2, 3-grams 0/1 → 1/(2·1), 4-grams none → 1;
        // brevity exp(1 − 4/3). BLEU = (2/3 · 1/2 · 1/2 · 1)^(1/4) · exp(−1/3)
        double bleu = E2EMetrics.Bleu(["a b c"], Refs(["a b d e"]));
        Assert.Equal(Math.Pow(1.0 / 6, 0.25) * Math.Exp(-1.0 / 3), bleu, 14);
    }

    [Fact]
    public void Bleu_takes_the_closest_reference_length_and_the_shorter_on_a_tie()
    {
        // hypothesis 4 words; references of 2 and 6 words are both 2 away → 2 is used, no penalty.
        Assert.Equal(2, Mteval.ClosestReferenceLength(4, [["a", "b"], ["a", "b", "c", "d", "e", "f"]]));
        // mteval starts from the first reference even when it is empty, and ignores later empty ones.
        Assert.Equal(3, Mteval.ClosestReferenceLength(3, [["x", "y", "z", "w", "v"], [], ["a", "b", "c"]]));
        Assert.Equal(0, Mteval.ClosestReferenceLength(1, [[], ["a", "b", "c"]]));
    }

    [Fact]
    public void Nist_of_a_hand_computed_segment()
    {
        // ref "a b a": counts a 2, b 1, "a b" 1 over 3 words. info(a) = log2(3/2), info(b) = log2(3),
        // info("a b") = log2(count(a)/count(a b)) = 1. hyp "a b" matches a, b, "a b":
        // n=1: (log2 1.5 + log2 3) / 2; n=2: 1 / 1; n≥3: 0. Length ratio 2/3 → penalty exactly 0.5.
        double expected = ((Math.Log2(1.5) + Math.Log2(3)) / 2 + 1) * 0.5;
        Assert.Equal(expected, E2EMetrics.Nist(["a b"], Refs(["a b a"])), 14);
    }

    [Fact]
    public void RougeL_takes_the_best_precision_and_best_recall_separately()
    {
        // hyp (6 tokens) vs "the cat sat on the mat": LCS 5 → P 5/6, R 5/6; vs "a mat": LCS 2 → P 2/6, R 2/2.
        // F = (1 + 1.2²)·P·R / (R + 1.2²·P) with P = 5/6, R = 1 → 2.44·(5/6) / (1 + 1.44·5/6)
        double rouge = E2EMetrics.RougeL(["the cat sat on a mat"], Refs(["the cat sat on the mat", "a mat"]));
        Assert.Equal(2.44 * (5.0 / 6) / (1 + 1.44 * 5.0 / 6), rouge, 14);
    }

    [Fact]
    public void Cider_of_a_hand_computed_pair_of_segments()
    {
        // Two segments → idf = ln 2 − ln(df) = ln 2 for every n-gram (each occurs in one segment).
        // Segment 1 "a b" vs "a b": cosine 1 for unigrams and bigrams, 0 for 3-,4-grams (empty) → mean 0.5 → ×10 = 5.
        // Segment 2 "c d" vs "c e": unigram cosine ln²2 / (√2 ln2)² = 0.5, others 0 → mean 0.125 → 1.25.
        double cider = E2EMetrics.Cider(["a b", "c d"], Refs(["a b"], ["c e"]));
        Assert.Equal((5 + 1.25) / 2, cider, 14);
    }

    [Fact]
    public void Cider_of_a_single_segment_is_0_because_every_idf_is_0()
    {
        Assert.Equal(0.0, E2EMetrics.Cider(["a pub"], Refs(["a pub"])));
    }

    [Fact]
    public void Meteor_penalises_word_order_with_chunks()
    {
        // "cat the" vs "the cat": both words matched (P = R = 1) in 2 chunks: frag = 2 / ((2+2)/2) = 1,
        // penalty 0.6·1^0.2 = 0.6 → 0.4.
        Assert.Equal(0.4, E2EMetrics.Meteor(["cat the"], Refs(["the cat"])), 14);
        Assert.Equal(1.0, E2EMetrics.Meteor(["the cat sat"], Refs(["the cat sat"])), 14);
    }

    [Fact]
    public void Meteor_stem_matches_weigh_0_6()
    {
        // "cats sat" vs "cat sat": sat exact (1.0), cats~cat by stem (0.6), all content words (δ = 0.75):
        // P = R = (1 + 0.6)·0.75 / (2·0.75) = 0.8; one chunk covering everything → no penalty.
        Assert.Equal(0.8, E2EMetrics.Meteor(["cats sat"], Refs(["cat sat"])), 14);
    }

    [Fact]
    public void Meteor_of_a_corpus_sums_the_statistics_instead_of_averaging_scores()
    {
        // Segments score 0.4 and 1.0 (mean 0.7). Summed: 5 words of which 2 function words ("the"), all
        // matched → P = R = 1; chunks 2 + 0 (a complete single-chunk segment adds none) over 5 matches:
        // frag = 2 / ((5 + 5)/2) = 0.4 → 1 − 0.6·0.4^0.2
        double meteor = E2EMetrics.Meteor(["cat the", "the cat sat"], Refs(["the cat"], ["the cat sat"]));
        Assert.Equal(1 - 0.6 * Math.Pow(0.4, 0.2), meteor, 14);
    }

    public static TheoryData<string> Corpora() => new() { "e2e_like", "edge_cases", "first_reference_empty", "single_segment", "perturbed", "tiny_vocabulary" };

    [Theory]
    [MemberData(nameof(Corpora))]
    public void Scores_match_the_official_scripts_on_the_fixture_corpus(string name)
    {
        var corpus = MetricFixtures.Load("e2e.json").GetProperty("corpora").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == name);
        string[] hypotheses = corpus.GetProperty("hypotheses").Strings();
        var references = corpus.GetProperty("references").EnumerateArray().Select(r => (IReadOnlyList<string>)r.Strings()).ToList();

        var scores = E2EMetrics.Score(hypotheses, references);
        MetricFixtures.AssertClose(corpus.GetProperty("bleu").GetDouble(), scores.Bleu, name + " BLEU");
        MetricFixtures.AssertClose(corpus.GetProperty("nist").GetDouble(), scores.Nist, name + " NIST");
        MetricFixtures.AssertClose(corpus.GetProperty("meteor").GetDouble(), scores.Meteor, name + " METEOR");
        MetricFixtures.AssertClose(corpus.GetProperty("rouge_l").GetDouble(), scores.RougeL, name + " ROUGE-L");
        MetricFixtures.AssertClose(corpus.GetProperty("cider").GetDouble(), scores.Cider, name + " CIDEr");
        Assert.Equal(scores, new E2EScores(E2EMetrics.Bleu(hypotheses, references), E2EMetrics.Nist(hypotheses, references),
            E2EMetrics.Meteor(hypotheses, references), E2EMetrics.RougeL(hypotheses, references), E2EMetrics.Cider(hypotheses, references)));

        double[] meteorSegments = corpus.GetProperty("meteor_segments").Doubles();
        double[] rougeSegments = corpus.GetProperty("rouge_l_segments").Doubles();
        for (int s = 0; s < hypotheses.Length; s++)
        {
            string[] hypothesis = CocoTokenizer.Tokenize(hypotheses[s]);
            string[][] segmentReferences = references[s].Select(CocoTokenizer.Tokenize).ToArray();
            MetricFixtures.AssertClose(meteorSegments[s], MeteorScorer.SegmentStatistics(hypothesis, segmentReferences).Score(), $"{name} METEOR segment {s}");
            MetricFixtures.AssertClose(rougeSegments[s], RougeLScorer.SegmentScore(hypothesis, segmentReferences), $"{name} ROUGE-L segment {s}");
        }
    }

    [Fact]
    public void Bad_input_is_rejected_with_the_position()
    {
        Assert.ThrowsAny<PeftSharpException>(() => E2EMetrics.Score([], Refs()));
        Assert.ThrowsAny<PeftSharpException>(() => E2EMetrics.Score(["a", "b"], Refs(["a"])));
        var noReference = Assert.ThrowsAny<PeftSharpException>(() => E2EMetrics.Bleu(["a", "b"], Refs(["a"], [])));
        Assert.Contains("references[1]", noReference.Message);
        var nullHypothesis = Assert.ThrowsAny<PeftSharpException>(() => E2EMetrics.Cider([null!], Refs(["a"])));
        Assert.Contains("hypotheses[0]", nullHypothesis.Message);
        Assert.ThrowsAny<PeftSharpException>(() => E2EMetrics.Nist(["a"], Refs(["", "  "])));
    }
}
