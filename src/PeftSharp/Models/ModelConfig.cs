using System.Text.Json;
using System.Text.Json.Nodes;
using PeftSharp.IO;
using PeftSharp.Models.Bert;
using PeftSharp.Models.Deberta;
using PeftSharp.Models.Gpt2;
using PeftSharp.Models.Llama;

namespace PeftSharp.Models;

/// <summary>
/// An architecture's hyperparameters as found in a HuggingFace <c>config.json</c>. The concrete
/// records (<see cref="Gpt2Config"/>, <see cref="LlamaConfig"/>, <see cref="BertConfig"/>, <see cref="DebertaV2Config"/>) use HF's
/// field names in JSON and HF's defaults for optional fields.
/// </summary>
public abstract partial record ModelConfig
{
    /// <summary>HF's <c>model_type</c>, e.g. <c>gpt2</c>, <c>llama</c>, <c>roberta</c>.</summary>
    public string ModelType { get; init; }

    /// <summary>Standard deviation of the normal initialisation of new weights.</summary>
    public double InitializerRange { get; init; } = 0.02;

    /// <summary>The config.json this was read from, kept so that saving preserves fields PeftSharp does not use.</summary>
    internal JsonObject? SourceJson { get; init; }

    private protected ModelConfig(string modelType) => ModelType = modelType;

    /// <summary>Model types <see cref="Load"/> and <see cref="PretrainedModelLoader"/> understand.</summary>
    public static IReadOnlyList<string> SupportedModelTypes { get; } = ["bert", "deberta-v2", "gpt2", "llama", "mistral", "qwen2", "roberta"];

    /// <summary>Reads and validates a config.json.</summary>
    public static ModelConfig Load(string path)
    {
        if (!File.Exists(path)) throw new PeftSharpException($"{path}: file not found (a model folder needs config.json)");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses and validates config.json text; <paramref name="source"/> names it in errors.</summary>
    public static ModelConfig Parse(string json, string source = "config.json")
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new PeftSharpException($"{source}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new PeftSharpException($"{source}: invalid JSON ({e.Message})", e);
        }
        var reader = new ConfigJson(root, source);
        var supported = string.Join(", ", SupportedModelTypes);
        var modelType = reader.OptionalString("model_type")
            ?? throw reader.Error($"missing field 'model_type' (supported: {supported})");
        ModelConfig config = modelType switch
        {
            "gpt2" => Gpt2Config.Read(reader),
            "llama" or "mistral" or "qwen2" => LlamaConfig.Read(reader, modelType),
            "bert" or "roberta" => BertConfig.Read(reader, modelType),
            "deberta-v2" => DebertaV2Config.Read(reader),
            _ => throw reader.Error($"unknown model_type '{modelType}' (supported: {supported})"),
        };
        config.Validate(source);
        return config;
    }

    /// <summary>The config as HF config.json text (fields read from a file but unused by PeftSharp are kept).</summary>
    public string ToJson()
    {
        var root = SourceJson?.DeepClone().AsObject() ?? new JsonObject();
        root["model_type"] = ModelType;
        root["initializer_range"] = InitializerRange;
        Write(root);
        var sorted = new JsonObject();
        foreach (var (key, value) in root.OrderBy(p => p.Key, StringComparer.Ordinal)) sorted[key] = value?.DeepClone();
        return sorted.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Writes <see cref="ToJson"/> to a file atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson() + "\n");

    /// <summary>The longest token sequence the model accepts (its position table; RoBERTa's starts after the padding id).</summary>
    internal abstract int ContextLength { get; }

    /// <summary>Throws <see cref="PeftSharpException"/> naming the fields if the sizes are inconsistent.</summary>
    public void Validate() => Validate("config");

    internal abstract void Validate(string source);

    /// <summary>Sets this config's HF fields on <paramref name="root"/>.</summary>
    private protected abstract void Write(JsonObject root);

    private protected static void Require(bool condition, string source, string message)
    {
        if (!condition) throw new PeftSharpException($"{source}: {message}");
    }

    private protected static void RequirePositive(int value, string field, string source) =>
        Require(value > 0, source, $"'{field}' must be positive, got {value}");

    private protected static void RequireDivisible(int value, string field, int divisor, string divisorField, string source) =>
        Require(divisor > 0 && value % divisor == 0, source, $"'{field}' ({value}) must be divisible by '{divisorField}' ({divisor})");

    private protected static void RequireProbability(double value, string field, string source) =>
        Require(value is >= 0 and < 1, source, $"'{field}' must be in [0, 1), got {value}");

    /// <summary>Writes an id list the way HF does: absent/null, one integer, or a list.</summary>
    private protected static JsonNode? IdsToJson(IReadOnlyList<int> ids) => ids.Count switch
    {
        0 => null,
        1 => JsonValue.Create(ids[0]),
        _ => new JsonArray(ids.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray()),
    };
}
