namespace PeftSharp.Evaluation.Generation;

/// <summary>
/// The best finished hypotheses of one prompt (HF BeamHypotheses): at most num_beams, scored
/// sum(log p) / generated_length^length_penalty, generated length counting an EOS token.
/// </summary>
internal sealed class BeamHypotheses(int numBeams, double lengthPenalty, bool earlyStopping)
{
    private readonly List<(double Score, List<int> Tokens, bool EndsWithEos)> beams = [];
    private double worstScore = 1e9;

    public int Count => beams.Count;

    public void Add(List<int> tokens, double sumLogProbs, int generatedLength, bool endsWithEos)
    {
        var score = sumLogProbs / Math.Pow(generatedLength, lengthPenalty);
        if (beams.Count >= numBeams && score <= worstScore) return;
        beams.Add((score, tokens, endsWithEos));
        if (beams.Count > numBeams)
        {
            var ranked = beams.Select((b, i) => (b.Score, Index: i)).OrderBy(b => b.Score).ThenBy(b => b.Index).ToList();
            beams.RemoveAt(ranked[0].Index);
            worstScore = ranked[1].Score;
        }
        else
        {
            worstScore = Math.Min(score, worstScore);
        }
    }

    /// <summary>
    /// Whether no running beam can beat the worst kept hypothesis: with early stopping as soon as
    /// num_beams are finished, else HF's heuristic comparing against best running score / length^penalty.
    /// </summary>
    public bool IsDone(double bestRunningSumLogProbs, int generatedLength)
    {
        if (beams.Count < numBeams) return false;
        if (earlyStopping) return true;
        return worstScore >= bestRunningSumLogProbs / Math.Pow(generatedLength, lengthPenalty);
    }

    /// <summary>The highest-scoring hypothesis (the latest added among equal scores, as HF's sort-and-pop).</summary>
    public (double Score, List<int> Tokens, bool EndsWithEos) Best()
    {
        var best = beams[0];
        foreach (var b in beams.Skip(1)) if (b.Score >= best.Score) best = b;
        return best;
    }
}
