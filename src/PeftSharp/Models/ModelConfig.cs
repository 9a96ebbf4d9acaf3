using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using PeftSharp.IO;
using PeftSharp.Models.Bert;
using PeftSharp.Models.Deberta;
using PeftSharp.Models.Gpt2;
using PeftSharp.Models.Llama;

namespace PeftSharp.Models;

/// <summary>
/// An architecture's hyperparameters as found in a HuggingFace <c>config.json</c>. The concrete
/// records (<see cref="Gpt2Config"/>, <see cref="LlamaConfig"/>, <see cref="BertConfig"/>, <see cref="DebertaV2Config"/>) use HF's
/// field names in JSON (their property names in snake_case, or <see cref="JsonPropertyNameAttribute"/>) and HF's defaults
/// for optional fields; <see cref="JsonRequiredAttribute"/> marks the fields a config.json must have.
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

    /// <summary>How the records map to config.json: snake_case names, nulls written (as HF does).</summary>
    internal static JsonSerializerOptions SerializerOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        IgnoreReadOnlyProperties = true,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <summary>
    /// Each model_type: the record that describes it and the fields whose default in HF's config class for that model
    /// differs from the record's (they fill a field that is absent or null). Mistral's sliding_window is the one field
    /// where HF tells absent (4096) from null (off): see <see cref="FieldsToRead"/>.
    /// </summary>
    private static readonly Dictionary<string, (Type Record, (string Field, int Value)[] Defaults)> ModelTypes = new()
    {
        ["gpt2"] = (typeof(Gpt2Config), []),
        ["llama"] = (typeof(LlamaConfig), []),
        ["mistral"] = (typeof(LlamaConfig), [("max_position_embeddings", 32768)]),
        ["qwen2"] = (typeof(LlamaConfig), [("max_position_embeddings", 32768)]),
        ["bert"] = (typeof(BertConfig), []),
        ["roberta"] = (typeof(BertConfig), [("pad_token_id", 1)]),
        ["deberta-v2"] = (typeof(DebertaV2Config), []),
    };

    /// <summary>Model types <see cref="Load"/> and <see cref="PretrainedModelLoader"/> understand.</summary>
    public static IReadOnlyList<string> SupportedModelTypes { get; } = ModelTypes.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Reads and validates a config.json.</summary>
    public static ModelConfig Load(string path)
    {
        if (!File.Exists(path)) throw new PeftSharpException($"{path}: file not found (a model folder needs config.json)");
        return Parse(StrictUtf8.ReadAllText(path), path);
    }

    /// <summary>Parses and validates config.json text; <paramref name="source"/> names it in errors.</summary>
    public static ModelConfig Parse(string json, string source = "config.json")
    {
        var root = TypedJson.ParseObject(json, source);
        var supported = $"supported: {string.Join(", ", SupportedModelTypes)}";
        var modelType = TypedJson.Field<string>(root, "model_type", source, SerializerOptions)
            ?? throw new PeftSharpException($"{source}: missing field 'model_type' ({supported})");
        if (!ModelTypes.TryGetValue(modelType, out var entry))
            throw new PeftSharpException($"{source}: unknown model_type '{modelType}' ({supported})");
        var fields = FieldsToRead(root, modelType, entry.Defaults);
        var config = (ModelConfig)TypedJson.Read(fields, entry.Record, source, SerializerOptions, out _, $"model_type '{modelType}'");
        config = config with { SourceJson = root };
        config.Validate(source);
        return config;
    }

    /// <summary>The config.json fields as the record reads them: HF's defaults for this model_type filled in, num_labels from id2label.</summary>
    private static JsonObject FieldsToRead(JsonObject root, string modelType, (string Field, int Value)[] defaults)
    {
        var fields = root.DeepClone().AsObject();
        foreach (var (field, value) in defaults) fields[field] ??= value;
        // HF's MistralConfig defaults sliding_window to 4096; an explicit null turns the window off.
        if (modelType == "mistral" && !root.ContainsKey("sliding_window")) fields["sliding_window"] = 4096;
        // HF's rule: id2label, when present, decides the number of labels.
        if (fields["id2label"] is JsonObject labels) fields["num_labels"] = labels.Count;
        return fields;
    }

    /// <summary>The config as HF config.json text (fields read from a file but unused by PeftSharp are kept).</summary>
    public string ToJson()
    {
        var root = SourceJson?.DeepClone().AsObject() ?? [];
        foreach (var (field, value) in TypedJson.Write(this, SerializerOptions).Where(f => WritesField(f.Key)))
            root[field] = value?.DeepClone();
        WriteDerivedFields(root);
        return TypedJson.ToSortedText(root);
    }

    /// <summary>Writes <see cref="ToJson"/> to a file atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson() + "\n");

    /// <summary>Whether HF's config class for this model_type has <paramref name="field"/> (a field it lacks is left as the source had it).</summary>
    private protected virtual bool WritesField(string field) => true;

    /// <summary>Sets the fields HF expects that are not properties here: architectures, sizes HF needs spelled out, label maps.</summary>
    private protected abstract void WriteDerivedFields(JsonObject root);

    /// <summary>The longest token sequence the model accepts (its position table; RoBERTa's starts after the padding id).</summary>
    internal abstract int ContextLength { get; }

    /// <summary>Throws <see cref="PeftSharpException"/> naming the fields if the sizes are inconsistent.</summary>
    public void Validate() => Validate("config");

    internal abstract void Validate(string source);

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
}
