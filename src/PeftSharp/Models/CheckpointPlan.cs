using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace PeftSharp.Models;

/// <summary>Where a model's weights come from: a checkpoint folder or, in tests, a dictionary.</summary>
internal interface ITensorSource
{
    IReadOnlyList<string> Keys { get; }
    long[] Shape(string key);
    /// <summary>Reads one tensor, converted to <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    Tensor Read(string key, ScalarType dtype, Device? device);
}

/// <summary>
/// Matches a model's parameter names against a checkpoint's keys: detects an omitted base-model
/// prefix and a stored copy of a tied head, accepts legacy LayerNorm gamma/beta names, and sorts the
/// rest into missing parameters (task heads may be missing) and unexpected keys (known buffers ignored).
/// </summary>
internal sealed partial class CheckpointPlan
{
    public required CheckpointLayout Layout { get; init; }
    /// <summary>Parameter name → checkpoint key.</summary>
    public required IReadOnlyDictionary<string, string> Sources { get; init; }
    public required IReadOnlyList<string> MissingTaskHeads { get; init; }
    public required IReadOnlyList<string> Missing { get; init; }
    public required IReadOnlyList<string> Unexpected { get; init; }

    // Buffers HF checkpoints carry that are not parameters: GPT-2's causal masks, old LLaMA rotary
    // frequencies, BERT/RoBERTa position/token-type id tables.
    [GeneratedRegex(@"(^|\.)(h\.\d+\.attn\.(bias|masked_bias)|rotary_emb\.inv_freq|embeddings\.(position_ids|token_type_ids))$")]
    private static partial Regex KnownBuffer();

    public static bool IsKnownBuffer(string key) => KnownBuffer().IsMatch(key);

    public static CheckpointPlan Create(PretrainedModel model, IReadOnlyCollection<string> checkpointKeys)
    {
        var keys = checkpointKeys.ToHashSet(StringComparer.Ordinal);
        var names = model.ArchitectureParameterNames;
        var prefix = model.BaseModelPrefix;
        // The layout that explains more parameters wins, so one stray key cannot flip it.
        var withPrefix = names.Count(keys.Contains);
        var withoutPrefix = names.Count(n => n.StartsWith(prefix, StringComparison.Ordinal) && keys.Contains(n[prefix.Length..]));
        var omitted = withoutPrefix > withPrefix ? prefix : null;
        var storesTiedHead = model.TiedHeadWeight is not null && keys.Contains(CheckpointLayout.TiedHeadKey);
        var layout = new CheckpointLayout(omitted, storesTiedHead);

        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        var missing = new List<string>();
        var missingHeads = new List<string>();
        foreach (var name in names)
        {
            var key = layout.KeyOf(name);
            if (keys.Contains(key)) sources[name] = key;
            else if (LegacyName(key) is { } legacy && keys.Contains(legacy)) sources[name] = legacy;
            else if (model.IsTaskHead(name)) missingHeads.Add(name);
            else missing.Add(name);
        }
        var used = sources.Values.ToHashSet(StringComparer.Ordinal);
        var unexpected = checkpointKeys
            .Where(k => !used.Contains(k) && !IsKnownBuffer(k) && !(storesTiedHead && k == CheckpointLayout.TiedHeadKey) && !model.IgnoresCheckpointKey(k))
            .OrderBy(k => k, StringComparer.Ordinal)
            .ToList();
        return new CheckpointPlan { Layout = layout, Sources = sources, MissingTaskHeads = missingHeads, Missing = missing, Unexpected = unexpected };
    }

    /// <summary>Old TF-converted BERT checkpoints name LayerNorm parameters gamma and beta.</summary>
    private static string? LegacyName(string key) =>
        key.EndsWith("LayerNorm.weight", StringComparison.Ordinal) ? key[..^"weight".Length] + "gamma"
        : key.EndsWith("LayerNorm.bias", StringComparison.Ordinal) ? key[..^"bias".Length] + "beta"
        : null;

    /// <summary>At most <paramref name="max"/> names, then "… and N more".</summary>
    public static string ListNames(IReadOnlyList<string> names, int max = 12) =>
        names.Count <= max ? string.Join(", ", names) : $"{string.Join(", ", names.Take(max))} … and {names.Count - max} more";
}
