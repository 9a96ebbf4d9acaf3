using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Evaluation.Generation;

/// <summary>HF's logits processors and warpers used by generation.</summary>
internal static class LogitsProcessing
{
    /// <summary>
    /// Sets to −∞ every token that would complete an n-gram already present in its row's sequence
    /// (HF NoRepeatNGramLogitsProcessor). scores (rows, vocab) is changed in place.
    /// </summary>
    public static void BanRepeatedNgrams(Tensor scores, IReadOnlyList<List<int>> sequences, int n)
    {
        if (n <= 0) return;
        var vocab = scores.shape[1];
        var banned = new List<long>();
        for (var row = 0; row < sequences.Count; row++)
            foreach (var token in BannedTokens(sequences[row], n))
                banned.Add(row * vocab + token);
        if (banned.Count == 0) return;
        using var index = torch.tensor(banned.ToArray(), device: scores.device);
        using var flat = scores.view(-1);
        flat.index_fill_(0, index, double.NegativeInfinity);
    }

    /// <summary>Tokens that follow an earlier occurrence of the sequence's last n − 1 tokens.</summary>
    internal static IEnumerable<int> BannedTokens(List<int> sequence, int n)
    {
        if (sequence.Count < n) yield break;
        var start = sequence.Count - n + 1; // the last n − 1 tokens begin here
        for (var i = 0; i + n - 1 < sequence.Count; i++)
        {
            var match = true;
            for (var j = 0; j < n - 1 && match; j++) match = sequence[i + j] == sequence[start + j];
            if (match) yield return sequence[i + n - 1];
        }
    }

    /// <summary>Temperature, then top-k, then top-p (HF's warper order). logits (rows, vocab) → warped logits.</summary>
    public static Tensor Warp(Tensor logits, Decoding options)
    {
        if (options.Temperature != 1.0) logits = logits / options.Temperature;
        if (options.TopK > 0 && options.TopK < logits.shape[^1])
        {
            var kth = logits.topk(options.TopK).values.narrow(-1, options.TopK - 1, 1);     // (rows, 1)
            logits = logits.masked_fill(logits.lt(kth), double.NegativeInfinity);
        }
        if (options.TopP < 1.0)
        {
            var (sorted, order) = logits.sort(-1, descending: false);                       // ascending
            var cumulative = sorted.softmax(-1).cumsum(-1);
            var remove = cumulative.le(1 - options.TopP);
            remove[TensorIndex.Ellipsis, -1] = torch.tensor(false);                        // keep at least the best token
            logits = logits.masked_fill(remove.scatter(-1, order, remove), double.NegativeInfinity);
        }
        return logits;
    }
}
