using System.Text.Json.Nodes;
using PeftSharp.IO;

namespace PeftSharp.Evaluation.Generation;

/// <summary>
/// generation_config.json fields that change HF's output and that PeftSharp does not implement, with HF's default
/// (the value that changes nothing). A field set to anything else is named in a warning; all other unknown fields
/// (transformers_version, _from_model_config, cache settings, …) pass silently.
/// </summary>
internal static class UnsupportedGenerationFields
{
    private static readonly Dictionary<string, JsonNode?> Defaults = new()
    {
        ["repetition_penalty"] = 1.0, ["encoder_repetition_penalty"] = 1.0, ["typical_p"] = 1.0, ["min_p"] = null,
        ["epsilon_cutoff"] = 0.0, ["eta_cutoff"] = 0.0, ["min_length"] = 0, ["min_new_tokens"] = null, ["num_return_sequences"] = 1,
        ["num_beam_groups"] = 1, ["diversity_penalty"] = 0.0, ["penalty_alpha"] = null, ["bad_words_ids"] = null,
        ["force_words_ids"] = null, ["forced_bos_token_id"] = null, ["forced_eos_token_id"] = null, ["suppress_tokens"] = null,
        ["begin_suppress_tokens"] = null, ["sequence_bias"] = null, ["exponential_decay_length_penalty"] = null,
        ["stop_strings"] = null, ["max_time"] = null, ["renormalize_logits"] = false,
    };

    public static string? Warning(string source, string key, JsonNode? value)
    {
        if (!Defaults.TryGetValue(key, out var unchanged) || value is null || JsonNode.DeepEquals(value, unchanged) || SameNumber(value, unchanged))
            return null;
        return $"{source}: '{key}' = {TypedJson.Shown(value)} is not implemented by PeftSharp and is ignored; generations may differ from transformers'";
    }

    /// <summary>1 and 1.0 are the same setting.</summary>
    private static bool SameNumber(JsonNode value, JsonNode? unchanged) =>
        value is JsonValue v && unchanged is JsonValue u && v.TryGetValue<double>(out var a) && u.TryGetValue<double>(out var b) && a == b;
}
