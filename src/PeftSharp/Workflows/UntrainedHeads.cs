using PeftSharp.Models;

namespace PeftSharp.Workflows;

/// <summary>
/// A task head the base checkpoint lacks starts random. That matters only when nothing trains or loads it: full
/// fine-tuning trains it, and an adapter trains it (or, when loaded, carries it) as one of its modules_to_save.
/// </summary>
internal static class UntrainedHeads
{
    /// <summary>Warns about the newly initialised weights of <paramref name="model"/> that no module of <paramref name="trainedModules"/> covers.</summary>
    public static void Warn(IPretrainedModel model, IReadOnlyList<string>? trainedModules, string modelDirectory, string what, Action<string> warn)
    {
        var untrained = ((model as PretrainedModel)?.NewlyInitialized ?? [])
            .Where(name => !(trainedModules ?? []).Any(m => name.StartsWith(m + ".", StringComparison.Ordinal) || name.Contains("." + m + ".", StringComparison.Ordinal)))
            .ToList();
        if (untrained.Count > 0)
            warn($"{modelDirectory}: {untrained.Count} weight(s) not in the checkpoint are random and {what}: {CheckpointPlan.ListNames(untrained)}");
    }
}
