using System.Text.Json.Nodes;
using PeftSharp.IO;

namespace PeftSharp.Tuners;

/// <summary>
/// What happens to the adapter_config.json fields PeftSharp does not implement (PEFT writes every field of its config
/// class, dozens of them, most of them off). Metadata and initialisation-only fields never change what a trained adapter
/// computes and pass silently whatever their value. Any other field passes silently when it is off (null, false, empty)
/// — current PEFT's lora_ga_config, monteclora_config, use_bdlora, velora_config, … in every adapter that does not use
/// them — and otherwise gets one warning naming it, because PeftSharp then computes something else than PEFT would.
/// </summary>
internal static class PeftOnlyFields
{
    /// <summary>Fields that never change a trained adapter's function here.</summary>
    private static readonly HashSet<string> Inert =
    [
        "auto_mapping", "revision", "inference_mode", "peft_version", "peft_type", // metadata (peft_type picked the config type)
        "fan_in_fan_out",   // PeftSharp tells GPT-2's Conv1D layout from the layer itself
        "runtime_config",   // PEFT's runtime-only settings (never saved by PEFT itself)
        "megatron_core",    // the module megatron_config uses, which is judged on its own
        "qalora_group_size", // used only with use_qalora, which is judged on its own
        "eva_config", "corda_config", "lora_ga_config", "loftq_config", // initialisation settings; init_lora_weights says whether the base changed
        "r",                // AdaLoRA configs carry LoRA's r next to init_r; init_r is the one that counts
    ];

    /// <summary>init_lora_weights values whose initialisation leaves the base weights untouched (a trained adapter then loads on the original base).</summary>
    private static readonly string[] BaseKeepingInits = ["gaussian", "eva", "orthogonal", "mica"];

    /// <summary>The warning for field <paramref name="key"/> of <paramref name="source"/>, or null when it passes silently.</summary>
    public static string? Warning(string source, string key, JsonNode? value)
    {
        if (Inert.Contains(key) || IsOff(value)) return null;
        if (key == "init_lora_weights") return InitWarning(source, value!);
        return $"{source}: '{key}' = {TypedJson.Shown(value)} is not implemented by PeftSharp and is ignored; the adapter may compute something else than in PEFT";
    }

    private static bool IsOff(JsonNode? value) => value switch
    {
        null => true,
        JsonValue v when v.TryGetValue<bool>(out var b) => !b,
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length == 0,
        JsonObject o => o.Count == 0,
        JsonArray a => a.Count == 0,
        _ => false,
    };

    private static string? InitWarning(string source, JsonNode value)
    {
        if (value is JsonValue v && (v.TryGetValue<bool>(out _) || (v.TryGetValue<string>(out var s) && BaseKeepingInits.Contains(s.ToLowerInvariant()))))
            return null;
        return $"{source}: init_lora_weights = {TypedJson.Shown(value)} changes the base weights during training, so this adapter reproduces PEFT's model only on those changed weights (PEFT's path_initial_model_for_weight_conversion converts it into a plain LoRA adapter)";
    }
}
