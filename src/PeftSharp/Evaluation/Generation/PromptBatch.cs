using TorchSharp;
using PeftSharp.Models;
using static TorchSharp.torch;

namespace PeftSharp.Evaluation.Generation;

/// <summary>
/// The running state both decoders share: ids and attention mask of every row (prompts left-padded),
/// each row's unpadded token list (for n-gram bans) and an optional KV cache. Tensors live outside
/// the per-step dispose scopes; <see cref="Dispose"/> frees them.
/// </summary>
internal sealed class PromptBatch : IDisposable
{
    private readonly ICausalLanguageModel model;
    private Tensor ids;       // (rows, length): the whole sequence, needed only without a cache
    private Tensor mask;      // (rows, length)
    private Tensor? lastTokens; // (rows, 1)

    public List<List<int>> Sequences { get; private set; }
    public KvCache? Cache { get; }
    public Device Device { get; }

    // copies: each prompt is repeated this many times in a row (beam search).
    public PromptBatch(ICausalLanguageModel model, IReadOnlyList<IReadOnlyList<int>> prompts, int copies, int pad, bool useCache)
    {
        this.model = model;
        Device = model.Module.parameters().FirstOrDefault()?.device ?? torch.CPU;
        var rows = prompts.Count * copies;
        var length = prompts.Max(p => p.Count);
        var idData = new long[rows * length];
        var maskData = new long[rows * length];
        Sequences = [];
        for (var row = 0; row < rows; row++)
        {
            var prompt = prompts[row / copies];
            var offset = length - prompt.Count;
            for (var i = 0; i < length; i++)
            {
                idData[row * length + i] = i < offset ? pad : prompt[i - offset];
                maskData[row * length + i] = i < offset ? 0 : 1;
            }
            Sequences.Add([.. prompt]);
        }
        ids = torch.tensor(idData, [rows, length], device: Device).DetachFromDisposeScope();
        mask = torch.tensor(maskData, [rows, length], device: Device).DetachFromDisposeScope();
        Cache = useCache ? new KvCache() : null;
    }

    /// <summary>Logits of the next token for every row: (rows, vocab) float32.</summary>
    public Tensor NextTokenLogits()
    {
        var feed = Cache is not null && lastTokens is not null ? lastTokens : ids;
        var logits = model.Forward(feed, mask, Cache);                                       // (rows, seq, vocab)
        return logits.select(1, -1).to(ScalarType.Float32);
    }

    /// <summary>Keeps rows <paramref name="sources"/> (beam reordering, null = unchanged) and appends one token per row.</summary>
    public void Append(long[] tokens, long[]? sources)
    {
        using var scope = torch.NewDisposeScope();
        var rows = tokens.Length;
        var next = torch.tensor(tokens, [rows, 1], device: Device);
        var keptIds = ids;
        var keptMask = mask;
        if (sources is not null)
        {
            var index = torch.tensor(sources, device: Device);
            keptIds = ids.index_select(0, index);
            keptMask = mask.index_select(0, index);
            Cache?.SelectRows(index);
            Sequences = sources.Select(s => new List<int>(Sequences[(int)s])).ToList();
        }
        for (var row = 0; row < rows; row++) Sequences[row].Add((int)tokens[row]);
        var newIds = (Cache is null ? torch.cat([keptIds, next], 1) : keptIds).DetachFromDisposeScope();
        var newMask = torch.cat([keptMask, torch.ones(rows, 1, dtype: ScalarType.Int64, device: Device)], 1).DetachFromDisposeScope();
        var newLast = next.DetachFromDisposeScope();
        if (!ReferenceEquals(newIds, ids)) ids.Dispose();
        mask.Dispose();
        lastTokens?.Dispose();
        (ids, mask, lastTokens) = (newIds, newMask, newLast);
    }

    public void Dispose()
    {
        ids.Dispose();
        mask.Dispose();
        lastTokens?.Dispose();
        Cache?.Dispose();
    }
}
