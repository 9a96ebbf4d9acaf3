using System.Globalization;
using System.Text.RegularExpressions;

namespace PeftSharp.Tuners;

/// <summary>
/// PEFT's <c>layers_to_transform</c> / <c>layers_pattern</c>: of the modules <c>target_modules</c> matches by name, keep
/// those in the listed layers. A module's layer index is the number that follows the first "&lt;segment&gt;." after at
/// least one other segment ("transformer.h.3.attn.c_attn" → 3, "model.layers.0.mlp.up_proj" → 0), or, with
/// <c>layers_pattern</c>, the number after "&lt;pattern&gt;.". A path without such a number is not adapted. A module
/// named by its full path in <c>target_modules</c> is always adapted, as in PEFT.
/// </summary>
internal static class LayerSelection
{
    private const string AnyLayerList = "[^.]*";

    public static bool Keeps(AdapterConfig config, string modulePath)
    {
        if (config.LayersToTransform is not { Count: > 0 } indices) return true;
        if (config.TargetModules?.Names?.Contains(modulePath) ?? false) return true;
        return IndexOf(modulePath, config.LayersPattern) is { } index && indices.Contains(index);
    }

    /// <summary>The layer index of <paramref name="modulePath"/>, the first of <paramref name="layersPatterns"/> that finds one (none given: any list name).</summary>
    internal static int? IndexOf(string modulePath, IReadOnlyList<string>? layersPatterns)
    {
        IEnumerable<string> lists = layersPatterns is { Count: > 0 } ? layersPatterns : [AnyLayerList];
        foreach (var list in lists)
        {
            // Lazy prefix: the first numbered segment is the layer, not a nested one (an expert index inside a layer).
            var match = Regex.Match(modulePath, $@"^.*?\.{list}\.([0-9]+)\.", RegexOptions.CultureInvariant);
            if (match.Success) return int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;
        }
        return null;
    }
}
