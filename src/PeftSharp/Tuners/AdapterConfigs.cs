using System.Text.Json;
using System.Text.Json.Nodes;
using PeftSharp.Tuners.AdaLora;
using PeftSharp.Tuners.DualLora;
using PeftSharp.Tuners.Lora;
using PeftSharp.Tuners.Lora2;

namespace PeftSharp.Tuners;

/// <summary>Reads and writes adapter_config.json for every method PeftSharp ships.</summary>
public static class AdapterConfigs
{
    /// <summary>peft_type → reader. Adding a method means adding its line here and its folder under Tuners/.</summary>
    static readonly Dictionary<string, Func<ConfigReader, AdapterConfig>> Readers = new()
    {
        ["LORA"] = LoraConfig.Read,
        ["DUAL_LORA"] = DualLoraConfig.Read,
        ["ADALORA"] = AdaLoraConfig.Read,
        ["LORA2"] = Lora2Config.Read,
    };

    /// <summary>Keys PEFT writes that do not change the adapter's function here (silently accepted).</summary>
    static readonly string[] Ignorable =
    [
        "auto_mapping", "revision", "inference_mode", "init_lora_weights", "layers_to_transform", "layers_pattern",
        "megatron_config", "megatron_core", "loftq_config", "layer_replication", "runtime_config", "lora_bias",
        "eva_config", "corda_config", "trainable_token_indices", "peft_version", "target_parameters", "use_qalora",
        "qalora_group_size", "alora_invocation_tokens", "arrow_config", "ensure_weight_tying", "fan_in_fan_out", "peft_type",
    ];

    public static IReadOnlyCollection<string> SupportedTypes => Readers.Keys;

    /// <summary>Parses an adapter_config.json text; <paramref name="source"/> names it in errors, unknown keys go to <paramref name="warn"/>.</summary>
    public static AdapterConfig Parse(string json, string source, Action<string>? warn = null)
    {
        JsonObject obj;
        try
        {
            obj = JsonNode.Parse(json) as JsonObject ?? throw new PeftSharpException($"{source}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new PeftSharpException($"{source}: invalid JSON at line {e.LineNumber + 1}: {e.Message}");
        }
        var reader = new ConfigReader(obj, source);
        var peftType = reader.Require<string>("peft_type");
        if (!Readers.TryGetValue(peftType, out var read))
            throw new PeftSharpException($"{source}: unknown peft_type \"{peftType}\"; supported: {string.Join(", ", Readers.Keys)}");
        var config = read(reader);
        foreach (var key in reader.UnknownKeys(Ignorable))
            warn?.Invoke($"{source}: unknown key '{key}' ignored");
        config.Validate();
        return config;
    }

    public static AdapterConfig Read(string path, Action<string>? warn = null)
    {
        if (!File.Exists(path)) throw new PeftSharpException($"{path}: adapter config not found");
        return Parse(File.ReadAllText(path), path, warn);
    }

    /// <summary>The config as PEFT writes it: indented JSON with sorted keys.</summary>
    public static string ToJson(AdapterConfig config, Action<JsonObject>? extra = null)
    {
        var json = new JsonObject();
        config.WriteJson(json);
        extra?.Invoke(json);
        return ConfigWriter.ToSortedJson(json);
    }
}
