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
    private readonly List<(Tensor Key, Tensor Value)?> layers = [];

    /// <summary>How many positions are cached (0 before the first forward pass).</summary>
    public long Length => layers.Count > 0 && layers[0] is { } first ? first.Key.shape[2] : 0;

    /// <summary>
    /// Appends this step's keys/values of <paramref name="layer"/> and returns everything cached for it.
    /// key, value: (batch, kv_heads, seq, head_dim) → (batch, kv_heads, past + seq, head_dim).
    /// </summary>
    internal (Tensor Key, Tensor Value) Append(int layer, Tensor key, Tensor value)
    {
        while (layers.Count <= layer) layers.Add(null);
        Tensor newKey, newValue;
        if (layers[layer] is { } past)
        {
            newKey = torch.cat([past.Key, key], 2);
            newValue = torch.cat([past.Value, value], 2);
            past.Key.Dispose();
            past.Value.Dispose();
        }
        else
        {
            newKey = key.clone();
            newValue = value.clone();
        }
        layers[layer] = (newKey.DetachFromDisposeScope(), newValue.DetachFromDisposeScope());
        return (newKey, newValue);
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
    }
}
