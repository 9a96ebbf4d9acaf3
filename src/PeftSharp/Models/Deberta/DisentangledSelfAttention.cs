using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Models.Deberta;

/// <summary>What every layer shares: the relative embeddings (after norm_rel_ebd) and the row of each (query, key) pair.</summary>
/// <param name="Embeddings">(2·span, d) relative position embeddings.</param>
/// <param name="Rows">(seq, seq) int64: the embedding row of query i and key j (<see cref="RelativePositions"/>).</param>
internal sealed record RelativeContext(Tensor Embeddings, Tensor Rows);

/// <summary>
/// DeBERTa's disentangled self-attention (HF DisentangledSelfAttention). For query i and key j, with
/// r = the relative-embedding row of (i, j) and P the relative embeddings:
/// score = [q_i·k_j + q_i·Pk_r (c2p) + k_j·Pq_r (p2c)] / √(head_dim · scale_factor),
/// scale_factor = 1 + the number of relative terms. Pk = key_proj(P) and Pq = query_proj(P) when
/// share_att_key, else pos_key_proj(P) / pos_query_proj(P). (HF writes p2c with the row of (j, i)
/// negated; buckets are odd in the distance, so it is the same row.)
/// </summary>
internal sealed class DisentangledSelfAttention : nn.Module
{
    public nn.Module<Tensor, Tensor> query_proj; // (d → d)
    public nn.Module<Tensor, Tensor> key_proj;
    public nn.Module<Tensor, Tensor> value_proj;
    public nn.Module<Tensor, Tensor>? pos_key_proj;   // c2p without share_att_key
    public nn.Module<Tensor, Tensor>? pos_query_proj; // p2c without share_att_key
    private readonly DebertaV2Config config;

    public DisentangledSelfAttention(DebertaV2Config config, Device? device, ScalarType? dtype) : base(nameof(DisentangledSelfAttention))
    {
        this.config = config;
        long d = config.HiddenSize;
        query_proj = nn.Linear(d, d, true, device, dtype);
        key_proj = nn.Linear(d, d, true, device, dtype);
        value_proj = nn.Linear(d, d, true, device, dtype);
        if (config.RelativeAttention && !config.ShareAttKey)
        {
            if (config.UsesC2P) pos_key_proj = nn.Linear(d, d, true, device, dtype);
            if (config.UsesP2C) pos_query_proj = nn.Linear(d, d, true, device, dtype);
        }
        RegisterComponents();
    }

    /// <summary>x (batch, seq, d), keyMask (batch, 1, 1, seq) true = real key or null → context (batch, seq, d).</summary>
    public Tensor Forward(Tensor x, Tensor? keyMask, RelativeContext? relative)
    {
        long batch = x.shape[0], seq = x.shape[1], heads = config.NumAttentionHeads, hd = config.HeadDim;
        Tensor Heads(Tensor t) => t.view(batch, seq, heads, hd).transpose(1, 2);               // (batch, heads, seq, hd)
        var q = Heads(query_proj.forward(x));
        var k = Heads(key_proj.forward(x));
        var v = Heads(value_proj.forward(x));
        var scores = q.matmul(k.transpose(-1, -2));                                             // (batch, heads, seq, seq)
        if (relative is not null) scores = scores + RelativeScores(q, k, relative);
        scores = scores / Math.Sqrt(hd * (double)config.ScaleFactor);
        // Padding keys are hidden. HF also zeroes the rows of padding queries; their outputs are never read
        // (keys are masked and the ConvLayer reads the masked embeddings), so they are left as computed.
        if (keyMask is not null) scores = scores.masked_fill(keyMask.logical_not(), torch.finfo(scores.dtype).min);
        // Softmax in float32 for half-precision scores (as the attention kernels of the other architectures do).
        var probabilities = nn.functional.dropout(scores.softmax(-1, MixedPrecision.Widened(scores.dtype)).to(v.dtype), config.AttentionProbsDropoutProb, training);
        var context = probabilities.matmul(v);                                                  // (batch, heads, seq, hd)
        return context.transpose(1, 2).reshape(batch, seq, heads * hd);
    }

    /// <summary>The c2p and p2c terms (batch, heads, seq, seq), not yet scaled.</summary>
    private Tensor RelativeScores(Tensor q, Tensor k, RelativeContext relative)
    {
        long batch = q.shape[0], heads = q.shape[1], seq = q.shape[2], hd = q.shape[3];
        var embeddings = nn.functional.dropout(relative.Embeddings, config.HiddenDropoutProb, training); // (2·span, d)
        long rows = embeddings.shape[0];
        Tensor PerHead(nn.Module<Tensor, Tensor> projection) =>
            projection.forward(embeddings).view(rows, heads, hd).transpose(0, 1);               // (heads, 2·span, hd)
        var index = relative.Rows.expand(batch, heads, seq, seq);                               // [i, j] → row of (i, j)
        Tensor? total = null;
        if (config.UsesC2P)
        {
            var positionKeys = PerHead(config.ShareAttKey ? key_proj : pos_key_proj!);
            var c2p = q.matmul(positionKeys.transpose(-1, -2));                                 // (batch, heads, seq_q, 2·span)
            total = c2p.gather(-1, index);                                                      // [i, j] = q_i · Pk_row(i, j)
        }
        if (config.UsesP2C)
        {
            var positionQueries = PerHead(config.ShareAttKey ? query_proj : pos_query_proj!);
            var p2c = k.matmul(positionQueries.transpose(-1, -2));                              // (batch, heads, seq_k, 2·span)
            var term = p2c.gather(-1, index.transpose(-1, -2)).transpose(-1, -2);                // [i, j] = k_j · Pq_row(i, j)
            total = total is null ? term : total + term;
        }
        return total ?? torch.zeros(batch, heads, seq, seq, dtype: q.dtype, device: q.device);
    }
}
