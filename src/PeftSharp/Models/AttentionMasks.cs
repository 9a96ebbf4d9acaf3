using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Models;

/// <summary>What scaled_dot_product_attention gets: an explicit boolean mask (true = may attend) or the causal flag.</summary>
internal readonly record struct AttentionBias(Tensor? Mask, bool IsCausal)
{
    public Tensor Attend(Tensor query, Tensor key, Tensor value, double dropout) =>
        nn.functional.scaled_dot_product_attention(query, key, value, Mask, dropout, IsCausal);
}

/// <summary>Masks and position ids shared by the architectures.</summary>
internal static class AttentionMasks
{
    /// <summary>
    /// Returns null when <paramref name="attentionMask"/> (batch, total) is absent or all ones, so that
    /// the fast unmasked paths apply; checks its shape otherwise.
    /// </summary>
    public static Tensor? Normalize(Tensor? attentionMask, long batch, long total)
    {
        if (attentionMask is null) return null;
        if (attentionMask.dim() != 2 || attentionMask.shape[0] != batch || attentionMask.shape[1] != total)
            throw new ArgumentException(
                $"attention mask has shape {IO.ShapeText.Of(attentionMask.shape)}, expected [{batch}, {total}] (batch, cached + new tokens)");
        using var all = attentionMask.all();
        return all.item<bool>() ? null : attentionMask;
    }

    /// <summary>
    /// Position ids of the <paramref name="seq"/> new tokens: the number of real tokens before each one
    /// (cumsum(mask) − 1, so left padding does not shift positions), 1 at padding as HF generate does.
    /// Returns (1, seq) without a mask, (batch, seq) with one.
    /// </summary>
    public static Tensor PositionIds(Tensor? attentionMask, long past, long seq, Device device)
    {
        if (attentionMask is null) return torch.arange(past, past + seq, dtype: ScalarType.Int64, device: device).unsqueeze(0);
        var mask = attentionMask.to(ScalarType.Int64);
        var positions = mask.cumsum(-1) - 1;                       // (batch, total)
        positions = positions.masked_fill(mask.eq(0), 1);
        return positions.narrow(1, past, seq);                     // (batch, seq)
    }

    /// <summary>
    /// Causal attention of <paramref name="seq"/> new queries over past + seq keys, hiding padded keys
    /// (attentionMask (batch, total), 1 = real) and, with <paramref name="slidingWindow"/>, keys at
    /// distance ≥ window (HF Mistral: key j is visible to query i iff 0 ≤ i − j &lt; window).
    /// </summary>
    public static AttentionBias Causal(Tensor? attentionMask, long past, long seq, int? slidingWindow, Device device)
    {
        var total = past + seq;
        var windowActive = slidingWindow is { } w && total > w;
        if (attentionMask is null && !windowActive)
        {
            if (seq == 1) return new AttentionBias(null, false);
            if (past == 0) return new AttentionBias(null, true);
        }
        var query = torch.arange(past, total, dtype: ScalarType.Int64, device: device).unsqueeze(1); // (seq, 1)
        var key = torch.arange(0, total, dtype: ScalarType.Int64, device: device).unsqueeze(0);      // (1, total)
        var allowed = key.le(query);                                                                  // (seq, total)
        if (windowActive) allowed = allowed.logical_and((query - key).lt(slidingWindow!.Value));
        allowed = allowed.unsqueeze(0).unsqueeze(0);                                                  // (1, 1, seq, total)
        if (attentionMask is not null)
        {
            var realKeys = attentionMask.ne(0).unsqueeze(1).unsqueeze(1);                             // (batch, 1, 1, total)
            // A padding query has no real key before it; letting it see itself keeps softmax finite.
            allowed = allowed.logical_and(realKeys).logical_or(key.eq(query).unsqueeze(0).unsqueeze(0));
        }
        return new AttentionBias(allowed, false);
    }

    /// <summary>Rejects ids outside [0, <paramref name="size"/>) with a message instead of an indexing failure deep in torch.</summary>
    public static void CheckIds(Tensor ids, long size, string what)
    {
        if (ids.dtype != ScalarType.Int64 && ids.dtype != ScalarType.Int32)
            throw new ArgumentException($"{what} must be an integer tensor, got {ids.dtype}");
        if (ids.numel() == 0) return;
        using var min = ids.min();
        using var max = ids.max();
        var (low, high) = (min.item<long>(), max.item<long>());
        if (low < 0 || high >= size)
            throw new PeftSharpException($"{what} contains id {(low < 0 ? low : high)}, outside 0..{size - 1}");
    }

    /// <summary>Bidirectional (encoder) attention hiding padded keys: (batch, 1, 1, seq) or no mask.</summary>
    public static AttentionBias Padding(Tensor? attentionMask) =>
        new(attentionMask?.ne(0).unsqueeze(1).unsqueeze(1), false);
}
