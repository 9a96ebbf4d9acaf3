namespace PeftSharp.Tuners;

/// <summary>Maps in-memory parameter names of an adapted model to the names of the original model.</summary>
internal static class StateDictNames
{
    /// <summary>"h.0.attn.c_attn.base_layer.bias" → "h.0.attn.c_attn.bias".</summary>
    public static string WithoutBaseLayer(string name) => name.Replace(".base_layer.", ".", StringComparison.Ordinal);
}
