namespace PeftSharp.Data;

/// <summary>
/// Pretraining-style packing (HuggingFace's group_texts): every text is tokenized and followed by EOS, the results
/// are concatenated and cut into blocks of exactly <c>blockSize</c> tokens, all supervised; the final partial block
/// is dropped.
/// </summary>
internal static class Packing
{
    public static IReadOnlyList<EncodedExample> Pack(IReadOnlyList<Example> texts, CausalLmEncodingOptions options, int blockSize)
    {
        if (blockSize < 2) throw new PeftSharpException($"packing needs a block size of at least 2 tokens, got {blockSize}");
        var stream = new List<int>();
        foreach (var example in texts)
        {
            if (example is not TextExample text) throw new PeftSharpException($"packing applies to text examples, not {example.GetType().Name}");
            if (options.BosId is { } bos) stream.Add(bos);
            stream.AddRange(options.Encode(text.Text));
            stream.Add(options.RequiredEosId);
        }
        var blocks = new List<EncodedExample>(stream.Count / blockSize);
        for (int start = 0; start + blockSize <= stream.Count; start += blockSize)
        {
            var ids = stream.GetRange(start, blockSize).ToArray();
            blocks.Add(new EncodedExample(ids, ids));
        }
        return blocks.Count > 0
            ? blocks
            : throw new PeftSharpException($"the texts hold {stream.Count} tokens, fewer than one block of {blockSize}; lower --max-length or disable packing");
    }
}
