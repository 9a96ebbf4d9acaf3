namespace PeftSharp.Evaluation.Generation;

/// <summary>
/// The finished hypotheses of one prompt (HF beam search's finished beams): the num_beams best by score
/// sum(log p) / generated_length^length_penalty, the generated length counting the EOS token.
/// </summary>
internal sealed class BeamHypotheses(int numBeams)
{
    private readonly List<(float Score, List<int> Tokens)> beams = []; // best first

    /// <summary>True once num_beams hypotheses are finished.</summary>
    public bool IsFull => beams.Count >= numBeams;

    /// <summary>The score of the worst kept hypothesis.</summary>
    public float Worst => beams[^1].Score;

    /// <summary>Keeps <paramref name="tokens"/> if it is among the num_beams best (an earlier hypothesis wins a tie).</summary>
    public void Add(List<int> tokens, float score)
    {
        var at = beams.FindIndex(b => b.Score < score);
        beams.Insert(at < 0 ? beams.Count : at, (score, tokens));
        if (beams.Count > numBeams) beams.RemoveAt(beams.Count - 1);
    }

    /// <summary>The highest-scoring hypothesis.</summary>
    public List<int> Best() => beams[0].Tokens;
}
