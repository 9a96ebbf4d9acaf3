namespace PeftSharp.Evaluation.Metrics;

/// <summary>The five E2E NLG challenge metrics of one system output, on the official scales.</summary>
/// <param name="Bleu">BLEU-4 in [0, 1] (mteval-v13a, as printed by the official script, not ×100).</param>
/// <param name="Nist">NIST-5 (unbounded, typically 8–9 on E2E).</param>
/// <param name="Meteor">METEOR in [0, 1] (exact and stem modules only; see METRICS.md).</param>
/// <param name="RougeL">ROUGE-L F-measure in [0, 1].</param>
/// <param name="Cider">CIDEr-D (×10 scale, typically around 2 on E2E).</param>
public sealed record E2EScores(double Bleu, double Nist, double Meteor, double RougeL, double Cider);

/// <summary>
/// Corpus-level E2E NLG metrics following the official scripts (github.com/tuetschek/e2e-metrics):
/// BLEU and NIST as mteval-v13a.pl computes them after its own tokenisation; METEOR, ROUGE-L and
/// CIDEr as pycocoevalcap computes them after PTB tokenisation, lower-casing and punctuation
/// removal. <c>references[i]</c> holds all references of the meaning representation of
/// <c>hypotheses[i]</c> (group the CSV rows by MR first). Deviations from the official scripts are
/// listed in METRICS.md next to this file.
/// </summary>
public static class E2EMetrics
{
    /// <summary>All five metrics.</summary>
    /// <exception cref="PeftSharpException">Null or empty input, differently sized lists, a segment without references, a null string, or references that are all empty.</exception>
    public static E2EScores Score(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references)
    {
        Check(nameof(Score), hypotheses, references);
        var (mtevalHypotheses, mtevalReferences) = Tokenize(hypotheses, references, MtevalTokenizer.Tokenize);
        var (cocoHypotheses, cocoReferences) = Tokenize(hypotheses, references, CocoTokenizer.Tokenize);
        return new E2EScores(
            Mteval.Bleu(mtevalHypotheses, mtevalReferences),
            Mteval.Nist(mtevalHypotheses, mtevalReferences),
            MeteorScorer.Score(cocoHypotheses, cocoReferences),
            RougeLScorer.Score(cocoHypotheses, cocoReferences),
            CiderScorer.Score(cocoHypotheses, cocoReferences));
    }

    /// <summary>Corpus BLEU-4 (mteval-v13a: closest reference length, 13a smoothing), in [0, 1].</summary>
    /// <exception cref="PeftSharpException">Bad input, as for <see cref="Score"/>.</exception>
    public static double Bleu(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references) =>
        ScoreMteval(nameof(Bleu), hypotheses, references, Mteval.Bleu);

    /// <summary>Corpus NIST-5 (mteval-v13a with the E2E script's handling of varying reference counts).</summary>
    /// <exception cref="PeftSharpException">Bad input, as for <see cref="Score"/>.</exception>
    public static double Nist(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references) =>
        ScoreMteval(nameof(Nist), hypotheses, references, Mteval.Nist);

    /// <summary>Corpus METEOR 1.5 (English rank parameters, exact and stem modules), in [0, 1].</summary>
    /// <exception cref="PeftSharpException">Bad input, as for <see cref="Score"/>.</exception>
    public static double Meteor(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references) =>
        ScoreCoco(nameof(Meteor), hypotheses, references, MeteorScorer.Score);

    /// <summary>Mean ROUGE-L F-measure (β = 1.2, best precision and best recall over the references), in [0, 1].</summary>
    /// <exception cref="PeftSharpException">Bad input, as for <see cref="Score"/>.</exception>
    public static double RougeL(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references) =>
        ScoreCoco(nameof(RougeL), hypotheses, references, RougeLScorer.Score);

    /// <summary>Mean CIDEr-D (σ = 6, ×10, IDF over the references of this set).</summary>
    /// <exception cref="PeftSharpException">Bad input, as for <see cref="Score"/>.</exception>
    public static double Cider(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references) =>
        ScoreCoco(nameof(Cider), hypotheses, references, CiderScorer.Score);

    private delegate double Scorer(IReadOnlyList<string[]> hypotheses, IReadOnlyList<string[][]> references);

    private static double ScoreMteval(string metric, IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references, Scorer scorer)
    {
        Check(metric, hypotheses, references);
        var (h, r) = Tokenize(hypotheses, references, MtevalTokenizer.Tokenize);
        return scorer(h, r);
    }

    private static double ScoreCoco(string metric, IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references, Scorer scorer)
    {
        Check(metric, hypotheses, references);
        var (h, r) = Tokenize(hypotheses, references, CocoTokenizer.Tokenize);
        return scorer(h, r);
    }

    private static (string[][] Hypotheses, string[][][] References) Tokenize(
        IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references, Func<string, string[]> tokenize) =>
        (hypotheses.Select(tokenize).ToArray(), references.Select(group => group.Select(tokenize).ToArray()).ToArray());

    private static void Check(string metric, IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references)
    {
        MetricInput.CheckPaired($"E2E {metric}", hypotheses, nameof(hypotheses), references, nameof(references));
        bool anyReferenceText = false;
        for (int i = 0; i < hypotheses.Count; i++)
        {
            if (hypotheses[i] is null) throw new PeftSharpException($"E2E {metric}: hypotheses[{i}] is null.");
            var group = references[i];
            if (group is null || group.Count == 0)
                throw new PeftSharpException($"E2E {metric}: references[{i}] is empty; every hypothesis needs at least one reference.");
            for (int k = 0; k < group.Count; k++)
            {
                if (group[k] is null) throw new PeftSharpException($"E2E {metric}: references[{i}][{k}] is null.");
                anyReferenceText |= !string.IsNullOrWhiteSpace(group[k]);
            }
        }
        if (!anyReferenceText) throw new PeftSharpException($"E2E {metric}: every reference is empty.");
    }
}
