using static TorchSharp.torch;

namespace PeftSharp.Data;

/// <summary>Pads examples to the longest in the batch (right padding for training and scoring).</summary>
public static class Collator
{
    public static Batch Collate(IReadOnlyList<EncodedExample> examples, int padTokenId, Device device)
    {
        int batch = examples.Count, length = examples.Max(e => e.InputIds.Length);
        var ids = new long[batch * length];
        var mask = new long[batch * length];
        var labels = examples[0].Labels is null ? null : new long[batch * length];
        var types = examples[0].TokenTypeIds is null ? null : new long[batch * length];
        Array.Fill(ids, padTokenId);
        if (labels is not null) Array.Fill(labels, CausalLmEncoding.IgnoreIndex);
        long tokens = 0;
        for (int b = 0; b < batch; b++)
        {
            var e = examples[b];
            tokens += e.InputIds.Length;
            for (int t = 0; t < e.InputIds.Length; t++)
            {
                ids[b * length + t] = e.InputIds[t];
                mask[b * length + t] = 1;
                if (labels is not null) labels[b * length + t] = e.Labels![t];
                if (types is not null) types[b * length + t] = e.TokenTypeIds![t];
            }
        }
        Tensor Make(long[] data) => tensor(data, [batch, length], device: device);
        return new Batch(
            Make(ids), Make(mask),
            labels is null ? null : Make(labels),
            types is null ? null : Make(types),
            examples[0].ClassLabel is null ? null : tensor(examples.Select(e => (long)e.ClassLabel!.Value).ToArray(), device: device),
            examples[0].Target is null ? null : tensor(examples.Select(e => (float)e.Target!.Value).ToArray(), device: device))
        { TokenCount = tokens };
    }
}
