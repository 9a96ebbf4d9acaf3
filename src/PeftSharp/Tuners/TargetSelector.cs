using static TorchSharp.torch;

namespace PeftSharp.Tuners;

/// <summary>Decides which modules of a model an adapter config selects.</summary>
internal static class TargetSelector
{
    /// <summary>Output heads "all-linear" leaves alone, as PEFT does (the LM head ties to the embeddings).</summary>
    private static readonly string[] OutputHeads = ["lm_head", "embed_out", "output"];

    /// <summary>Paths of the linear-like layers (or already adapted layers) selected by <paramref name="config"/>.</summary>
    public static IReadOnlyList<string> Select(nn.Module model, AdapterConfig config, IEnumerable<string> adaptedPaths)
    {
        var candidates = LinearLayerPaths(model, adaptedPaths);
        var protectedPaths = config.ModulesToSave ?? [];
        var selected = candidates.Where(path =>
                config.TargetModules!.Matches(path)
                && !(config.ExcludeModules?.Matches(path) ?? false)
                && !protectedPaths.Any(m => IsWithin(path, m))
                && !(config.TargetModules!.IsAllLinear && OutputHeads.Contains(path.Split('.')[^1]))
                && LayerSelection.Keeps(config, path))
            .ToList();
        if (selected.Count == 0)
            throw new PeftSharpException(config.LayersToTransform is { Count: > 0 } layers
                ? $"target_modules '{config.TargetModules}' with layers_to_transform [{string.Join(", ", layers)}]{(config.LayersPattern is { Count: > 0 } pattern ? $" and layers_pattern '{string.Join(", ", pattern)}'" : "")} matches no linear layer of the model. Its linear layers are: {Summarise(candidates)}"
                : $"target_modules '{config.TargetModules}' matches no linear layer of the model. Its linear layers are: {Summarise(candidates)}");
        return selected;
    }

    /// <summary>Paths of linear-like layers, seen through adapter wrappers.</summary>
    public static IReadOnlyList<string> LinearLayerPaths(nn.Module model, IEnumerable<string> adaptedPaths)
    {
        var adapted = adaptedPaths.ToHashSet();
        var result = new List<string>();
        foreach (var (path, module) in model.named_modules())
        {
            if (adapted.Any(a => path.StartsWith(a + ".", StringComparison.Ordinal))) continue; // inside an adapter wrapper
            if (module is LayerWithAdapters || LinearLike.IsLinearLike(module)) result.Add(path);
        }
        return result;
    }

    /// <summary>Modules whose path equals <paramref name="name"/> or ends with "." + name (PEFT's modules_to_save matching); none when the model has no such module.</summary>
    public static IReadOnlyList<string> ModulesNamed(nn.Module model, string name, IEnumerable<string> adaptedPaths)
    {
        var adapted = adaptedPaths.ToList();
        var matches = model.named_modules().Select(m => m.name)
            .Where(path => (path == name || path.EndsWith("." + name, StringComparison.Ordinal))
                           && !adapted.Any(a => path.StartsWith(a + ".", StringComparison.Ordinal)))
            .ToList();
        var overlapping = adapted.FirstOrDefault(a => matches.Any(m => IsWithin(a, m) || IsWithin(m, a)));
        if (overlapping is not null)
            throw new PeftSharpException($"modules_to_save: '{name}' overlaps the adapted layer '{overlapping}'; exclude it from target_modules");
        return matches;
    }

    private static bool IsWithin(string path, string ancestor) =>
        path == ancestor || path.StartsWith(ancestor + ".", StringComparison.Ordinal) || path.EndsWith("." + ancestor, StringComparison.Ordinal)
        || path.Contains("." + ancestor + ".", StringComparison.Ordinal);

    private static string Summarise(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0) return "(none)";
        // Show distinct layer names first (what users put in target_modules), then a few full paths.
        var names = paths.Select(p => p.Split('.')[^1]).Distinct().OrderBy(n => n, StringComparer.Ordinal);
        return $"[{string.Join(", ", names)}] e.g. {string.Join(", ", paths.Take(6))}{(paths.Count > 6 ? ", …" : "")}";
    }
}
