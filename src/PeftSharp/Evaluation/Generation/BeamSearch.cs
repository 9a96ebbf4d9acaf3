using TorchSharp;
using PeftSharp.Models;
using static TorchSharp.torch;

namespace PeftSharp.Evaluation.Generation;

/// <summary>
/// HF's beam search (transformers' GenerationMixin._beam_search), per prompt. Every step ranks the best
/// K = max(2, 1 + #eos)·num_beams continuations of all running beams by accumulated log-probability. A continuation that
/// ends in any EOS id, or reaches the length limit, is finished: those among the top num_beams join the prompt's
/// hypotheses (scored sum / length^length_penalty) while the prompt can still improve; the best num_beams unfinished
/// ones run on. After each step the prompt's search stops as <see cref="EarlyStopping"/> says: with num_beams
/// hypotheses kept, when the best running beam — scored at its current length (Heuristic) or at the longest length
/// (Never, for length_penalty &gt; 0) — cannot beat the worst of them, or at once (WhenBeamsFinished).
/// Scores are float32, as HF's.
/// </summary>
internal static class BeamSearch
{
    private const float Finished = -1e9f; // HF's score offset for a continuation that cannot run on

    public static List<IReadOnlyList<int>> Run(ICausalLanguageModel model, IReadOnlyList<IReadOnlyList<int>> prompts, Decoding options)
    {
        int promptCount = prompts.Count, beams = options.NumBeams, rows = promptCount * beams, vocab = model.VocabSize;
        var candidates = Math.Max(2, 1 + options.Eos.Count) * beams;
        var hypotheses = Enumerable.Range(0, promptCount).Select(_ => new BeamHypotheses(beams)).ToArray();
        var canImprove = Enumerable.Repeat(true, promptCount).ToArray();
        var done = new bool[promptCount];
        // Only the first beam of a prompt is live at the start, so the first step does not pick duplicates.
        var beamScores = Enumerable.Range(0, rows).Select(r => r % beams == 0 ? 0f : Finished).ToArray();
        var generated = Enumerable.Range(0, rows).Select(_ => new List<int>()).ToList();
        using var batch = new PromptBatch(model, prompts, beams, options.Pad, options.UseCache);

        for (var step = 0; step < options.MaxNewTokens; step++)
        {
            float[] topScores;
            long[] topIndices;
            using (var scope = torch.NewDisposeScope())
            {
                var logProbs = batch.NextTokenLogits().log_softmax(-1);                       // (rows, vocab)
                LogitsProcessing.BanRepeatedNgrams(logProbs, batch.Sequences, options.NoRepeatNgramSize);
                var scores = logProbs + torch.tensor(beamScores, device: batch.Device).unsqueeze(1);
                var (values, indices) = scores.view(promptCount, beams * vocab).topk(Math.Min(candidates, beams * vocab));
                topScores = values.cpu().data<float>().ToArray();                          // (prompts, candidates), best first
                topIndices = indices.cpu().data<long>().ToArray();
            }
            var width = topScores.Length / promptCount;
            var lastStep = step == options.MaxNewTokens - 1;
            var nextScores = new float[rows];
            var nextTokens = new long[rows];
            var sources = new long[rows];
            for (var p = 0; p < promptCount; p++)
            {
                if (done[p])
                {
                    for (var j = 0; j < beams; j++) (nextScores[p * beams + j], nextTokens[p * beams + j], sources[p * beams + j]) = (0, options.Pad, p * beams);
                    continue;
                }
                var ranked = Enumerable.Range(0, width).Select(rank =>
                {
                    var index = topIndices[p * width + rank];
                    var token = (int)(index % vocab);
                    return (Rank: rank, Score: topScores[p * width + rank], Source: p * beams + (int)(index / vocab), Token: token,
                        Ends: lastStep || options.Eos.Contains(token));
                }).ToList();

                if (canImprove[p]) // (a prompt whose hypotheses are complete under WhenBeamsFinished is already done)
                {
                    var length = (float)Math.Pow(step + 1, options.LengthPenalty);
                    foreach (var c in ranked.Where(c => c.Rank < beams && c.Ends))
                        hypotheses[p].Add([.. generated[c.Source], c.Token], c.Score / length);
                }
                // The best unfinished continuations run on (finished ones only fill up, as HF's -1e9 offset does).
                var running = ranked.OrderByDescending(c => c.Ends ? c.Score + Finished : c.Score).ThenBy(c => c.Rank).Take(beams).ToList();
                for (var j = 0; j < running.Count; j++)
                    (nextScores[p * beams + j], nextTokens[p * beams + j], sources[p * beams + j]) =
                        (running[j].Ends ? running[j].Score + Finished : running[j].Score, running[j].Token, running[j].Source);

                canImprove[p] = canImprove[p] && RunningCanImprove(nextScores[p * beams], hypotheses[p], step + 1, options);
                done[p] = !canImprove[p] || (options.EarlyStopping == EarlyStopping.WhenBeamsFinished && hypotheses[p].IsFull);
            }
            beamScores = nextScores;
            generated = sources.Select((s, row) => new List<int>(generated[(int)s]) { (int)nextTokens[row] }).ToList();
            if (done.All(d => d) || lastStep) break;
            batch.Append(nextTokens, sources);
        }
        return hypotheses.Select(h => (IReadOnlyList<int>)h.Best()).ToList();
    }

    /// <summary>
    /// HF's early-stop heuristic: whether the best running beam (accumulated score <paramref name="bestRunning"/>) could
    /// still beat the worst finished hypothesis. Until num_beams are finished it always can.
    /// </summary>
    private static bool RunningCanImprove(float bestRunning, BeamHypotheses hypotheses, int generatedLength, Decoding options)
    {
        var length = options.EarlyStopping == EarlyStopping.Never && options.LengthPenalty > 0 ? options.MaxNewTokens : generatedLength;
        var bestPossible = bestRunning / (float)Math.Pow(length, options.LengthPenalty);
        return bestPossible > (hypotheses.IsFull ? hypotheses.Worst : Finished);
    }
}
