namespace PeftSharp.Tuners;

/// <summary>Adapter-file keys besides the ones PEFT and PeftSharp write today, and how they are read.</summary>
internal static class StateDictNames
{
    private const string BaseLayerBias = ".base_layer.bias";

    /// <summary>
    /// "h.0.attn.c_attn.base_layer.bias" → "h.0.attn.c_attn.bias": an adapted layer's bias under the key PeftSharp wrote
    /// before it used PEFT's (still read, so older adapters load); null for any other key.
    /// </summary>
    public static string? LegacyKey(string key) =>
        key.EndsWith(BaseLayerBias, StringComparison.Ordinal) ? key[..^BaseLayerBias.Length] + ".bias" : null;

    /// <summary>True for the bias of an adapted layer (PEFT's key for it).</summary>
    public static bool IsAdaptedLayerBias(string key) => key.EndsWith(BaseLayerBias, StringComparison.Ordinal);

    /// <summary>
    /// Keys of PEFT's ModulesToSaveWrapper internals (".original_module." = the untouched base values,
    /// ".modules_to_save.&lt;adapter&gt;." = a copy of the module's own keys), which PEFT 0.20 writes with bias = "all":
    /// they carry nothing the module's own keys do not.
    /// </summary>
    public static bool IsWrapperInternal(string key) =>
        key.Contains(".original_module.", StringComparison.Ordinal) || key.Contains(".modules_to_save.", StringComparison.Ordinal);
}
