namespace PeftSharp.Models;

/// <summary>
/// How a checkpoint spelled its keys relative to the model's parameter names, so that saving writes
/// the layout that was read: GPT-2's original checkpoints omit the <c>transformer.</c> prefix, and
/// some checkpoints store a tied head again as <c>lm_head.weight</c>.
/// </summary>
/// <param name="OmittedPrefix">The base-model prefix (with its dot) absent from the checkpoint's keys, or null.</param>
/// <param name="StoresTiedHead">Whether the checkpoint stored the tied output head as <c>lm_head.weight</c>.</param>
internal sealed record CheckpointLayout(string? OmittedPrefix, bool StoresTiedHead)
{
    public static CheckpointLayout Canonical { get; } = new(null, false);

    public const string TiedHeadKey = "lm_head.weight";

    /// <summary>The checkpoint key of a parameter.</summary>
    public string KeyOf(string parameterName) =>
        OmittedPrefix is { } prefix && parameterName.StartsWith(prefix, StringComparison.Ordinal) ? parameterName[prefix.Length..] : parameterName;
}
