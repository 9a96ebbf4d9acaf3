using TorchSharp;
using PeftSharp.Models;
using static TorchSharp.torch;

namespace PeftSharp.Evaluation.Generation;

/// <summary>
/// HF's beam search (BeamSearchScorer): each prompt keeps num_beams running beams; every step the
/// best (1 + #eos)·num_beams continuations are ranked, EOS continuations within the top num_beams
/// become finished hypotheses, the others fill the next beams. A prompt is done when its hypotheses
/// cannot improve (<see cref="BeamHypotheses.IsDone"/>); at max_new_tokens the running beams are
/// scored as hypotheses too.
/// </summary>
internal static class BeamSearch
{
    public static List<IReadOnlyList<int>> Run(ICausalLanguageModel model, IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options,
        IReadOnlyList<int> eos, int pad)
    {
        int promptCount = prompts.Count, beams = options.NumBeams, rows = promptCount * beams, vocab = model.VocabSize;
        var candidates = (1 + Math.Max(1, eos.Count)) * beams;
        var hypotheses = Enumerable.Range(0, promptCount).Select(_ => new BeamHypotheses(beams, options.LengthPenalty, options.EarlyStopping)).ToArray();
        var done = new bool[promptCount];
        // Only the first beam of a prompt is live at the start, so the first step does not pick duplicates.
        var beamScores = Enumerable.Range(0, rows).Select(r => r % beams == 0 ? 0f : -1e9f).ToArray();
        var generated = Enumerable.Range(0, rows).Select(_ => new List<int>()).ToList();
        using var batch = new PromptBatch(model, prompts, beams, pad, options.UseCache);

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
                topScores = values.cpu().data<float>().ToArray();                          // (prompts, candidates)
                topIndices = indices.cpu().data<long>().ToArray();
            }
            var width = topScores.Length / promptCount;
            var nextScores = new float[rows];
            var nextTokens = new long[rows];
            var sources = new long[rows];
            for (var p = 0; p < promptCount; p++)
            {
                if (done[p])
                {
                    for (var j = 0; j < beams; j++) (nextScores[p * beams + j], nextTokens[p * beams + j], sources[p * beams + j]) = (0, pad, p * beams);
                    continue;
                }
                var filled = 0;
                for (var rank = 0; rank < width && filled < beams; rank++)
                {
                    var index = topIndices[p * width + rank];
                    var source = p * beams + (int)(index / vocab);
                    var token = (int)(index % vocab);
                    var score = topScores[p * width + rank];
                    if (eos.Contains(token))
                    {
                        if (rank < beams) hypotheses[p].Add([.. generated[source]], score, step + 1, endsWithEos: true);
                        continue;
                    }
                    (nextScores[p * beams + filled], nextTokens[p * beams + filled], sources[p * beams + filled]) = (score, token, source);
                    filled++;
                }
                done[p] = hypotheses[p].IsDone(topScores[p * width], step + 1);
            }
            beamScores = nextScores;
            generated = sources.Select((s, row) => new List<int>(generated[(int)s]) { (int)nextTokens[row] }).ToList();
            if (done.All(d => d) || step == options.MaxNewTokens - 1) break;
            batch.Append(nextTokens, sources);
        }

        var results = new List<IReadOnlyList<int>>(promptCount);
        for (var p = 0; p < promptCount; p++)
        {
            if (!done[p])
                for (var j = 0; j < beams; j++)
                {
                    var row = p * beams + j;
                    hypotheses[p].Add(generated[row], beamScores[row], generated[row].Count, endsWithEos: false);
                }
            var (_, tokens, endsWithEos) = hypotheses[p].Best();
            results.Add(endsWithEos ? [.. tokens, eos[0]] : tokens);
        }
        return results;
    }
}
