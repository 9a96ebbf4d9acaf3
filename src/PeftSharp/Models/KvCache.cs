using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Models;

/// <summary>
/// Keys and values of the positions a causal model has already seen, one pair per layer, so that
/// generation feeds only the new tokens. A forward pass given a cache appends to it. The cache owns
/// its tensors (they survive dispose scopes); dispose it when generation ends.
/// </summary>
public sealed class KvCache : IDisposable
{
    // Per layer: buffers (batch, kv_heads, capacity, head_dim) of which the first Length positions are used.
    // Capacity grows by doubling, so appending a token does not copy the whole history each step.
    private readonly List<(Tensor Key, Tensor Value)?> layers = [];
    private readonly List<long> lengths = [];

    /// <summary>How many positions are cached (0 before the first forward pass).</summary>
    public long Length => lengths.Count > 0 ? lengths[0] : 0;

    /// <summary>
    /// Appends this step's keys/values of <paramref name="layer"/> and returns everything cached for it.
    /// key, value: (batch, kv_heads, seq, head_dim) → views (batch, kv_heads, past + seq, head_dim),
    /// valid until the next call for this layer.
    /// </summary>
    internal (Tensor Key, Tensor Value) Append(int layer, Tensor key, Tensor value)
    {
        while (layers.Count <= layer)
        {
            layers.Add(null);
            lengths.Add(0);
        }
        var past = lengths[layer];
        var total = past + key.shape[2];
        if (layers[layer] is not { } buffers || buffers.Key.shape[2] < total)
        {
            var capacity = Math.Max(total, 2 * (layers[layer]?.Key.shape[2] ?? 0));
            buffers = (Grow(layers[layer]?.Key, key, capacity, past), Grow(layers[layer]?.Value, value, capacity, past));
            layers[layer] = buffers;
        }
        using (var keySlot = buffers.Key.narrow(2, past, key.shape[2])) keySlot.copy_(key);
        using (var valueSlot = buffers.Value.narrow(2, past, value.shape[2])) valueSlot.copy_(value);
        lengths[layer] = total;
        return (buffers.Key.narrow(2, 0, total), buffers.Value.narrow(2, 0, total));
    }

    private static Tensor Grow(Tensor? old, Tensor like, long capacity, long used)
    {
        var shape = like.shape;
        shape[2] = capacity;
        var buffer = torch.empty(shape, like.dtype, like.device).DetachFromDisposeScope();
        if (old is not null)
        {
            using var target = buffer.narrow(2, 0, used);
            using var source = old.narrow(2, 0, used);
            target.copy_(source);
            old.Dispose();
        }
        return buffer;
    }

    /// <summary>Keeps the rows <paramref name="rows"/> (int64, batch') in that order: beam search reordering.</summary>
    internal void SelectRows(Tensor rows)
    {
        for (var i = 0; i < layers.Count; i++)
        {
            if (layers[i] is not { } entry) continue;
            var key = entry.Key.index_select(0, rows).DetachFromDisposeScope();
            var value = entry.Value.index_select(0, rows).DetachFromDisposeScope();
            entry.Key.Dispose();
            entry.Value.Dispose();
            layers[i] = (key, value);
        }
    }

    /// <summary>Frees the cached tensors; the cache can be reused from length 0.</summary>
    public void Dispose()
    {
        foreach (var entry in layers)
        {
            entry?.Key.Dispose();
            entry?.Value.Dispose();
        }
        layers.Clear();
        lengths.Clear();
    }
}
