using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Models.Deberta;

/// <summary>
/// DeBERTa's relative positions (He et al. 2021; HF build_relative_position / make_log_bucket_position).
/// The distance of query i to key j is δ = i − j. With position_buckets = 2·mid > 0, distances within
/// ±mid are kept and longer ones are compressed logarithmically:
/// sign(δ) · (mid + ⌈log(|δ| / mid) / log((max_relative_positions − 1) / mid) · (mid − 1)⌉),
/// computed in float32 as the reference does (the ceiling of a float32 value decides the bucket).
/// The row of the relative embedding table used for (i, j) is clamp(bucket + span, 0, 2·span − 1),
/// span = position_buckets, or max_relative_positions without buckets.
/// </summary>
internal static class RelativePositions
{
    /// <summary>(seq, seq) int64: the relative-embedding row of every query/key pair.</summary>
    public static Tensor EmbeddingRows(long seq, DebertaV2Config config, Device device)
    {
        using var scope = torch.NewDisposeScope();
        var positions = torch.arange(seq, dtype: ScalarType.Int64, device: device);
        var distance = positions.unsqueeze(1) - positions.unsqueeze(0);                      // (seq, seq): i − j
        var bucket = config.PositionBuckets > 0
            ? LogBuckets(distance, config.PositionBuckets, config.EffectiveMaxRelativePositions)
            : distance;
        var span = config.AttentionSpan;
        return (bucket + span).clamp(0, 2 * span - 1).MoveToOuterDisposeScope();
    }

    /// <summary>HF make_log_bucket_position on int64 distances.</summary>
    internal static Tensor LogBuckets(Tensor distance, int bucketSize, int maxPosition)
    {
        long mid = bucketSize / 2;
        var sign = distance.sign();
        var near = distance.lt(mid).logical_and(distance.gt(-mid));
        var magnitude = torch.where(near, torch.full_like(distance, mid - 1), distance.abs());               // |δ|, small ones parked at mid − 1
        var logRange = torch.tensor((float)((maxPosition - 1.0) / mid)).log();                                // float32 scalar
        var logPosition = (magnitude.to(ScalarType.Float32) / mid).log().div(logRange).mul(mid - 1).ceil() + mid;
        var bucket = torch.where(magnitude.le(mid), distance.to(ScalarType.Float32), logPosition * sign.to(ScalarType.Float32));
        return bucket.to(ScalarType.Int64);
    }
}
