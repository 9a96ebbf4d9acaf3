using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using PeftSharp.IO;

namespace PeftSharp.Tuners;

/// <summary>
/// Reads and writes adapter_config.json for every registered method: PEFT's field names are the config properties'
/// names in snake_case (or their <see cref="JsonPropertyNameAttribute"/>), <c>peft_type</c> picks the config type.
/// </summary>
public static class AdapterConfigFile
{
    public const string FileName = "adapter_config.json";

    /// <summary>How configs map to JSON: snake_case names, enums as snake_case strings, nulls written (as PEFT does).</summary>
    public static JsonSerializerOptions SerializerOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        IgnoreReadOnlyProperties = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new TargetModulesJsonConverter() },
    };

    private static Dictionary<string, Type>? typesByPeftType;

    /// <summary>peft_type → config type, from the registered methods.</summary>
    private static Dictionary<string, Type> TypesByPeftType => typesByPeftType ??= PeftMethods.All
        .Select(m => m.ConfigType).OfType<Type>().Distinct()
        .ToDictionary(t => ((AdapterConfig)Activator.CreateInstance(t)!).PeftType);

    /// <summary>Drops the peft_type table after a registration.</summary>
    internal static void Forget() => typesByPeftType = null;

    /// <summary>peft_type values that can be read.</summary>
    public static IReadOnlyCollection<string> SupportedTypes => TypesByPeftType.Keys;

    /// <summary>
    /// Parses an adapter_config.json text; <paramref name="source"/> names it in errors. Fields PeftSharp does not
    /// implement pass silently when off or inert and are named once in <paramref name="warn"/> otherwise (<see cref="PeftOnlyFields"/>).
    /// </summary>
    public static AdapterConfig Parse(string json, string source, Action<string>? warn = null)
    {
        var obj = TypedJson.ParseObject(json, source);
        var peftType = obj["peft_type"] is JsonValue v && v.TryGetValue<string>(out var s) ? s
            : throw new PeftSharpException($"{source}: required field 'peft_type' is missing or not a string");
        if (!TypesByPeftType.TryGetValue(peftType, out var type))
            throw new PeftSharpException($"{source}: unknown peft_type \"{peftType}\"; supported: {string.Join(", ", TypesByPeftType.Keys)}");
        var config = (AdapterConfig)TypedJson.Read(obj, type, source, SerializerOptions, out var unknownKeys);
        foreach (var key in unknownKeys)
            if (PeftOnlyFields.Warning(source, key, obj[key]) is { } warning) warn?.Invoke(warning);
        if (config.TargetModules is null) throw new PeftSharpException($"{source}: required field 'target_modules' is missing");
        try
        {
            config.Validate();
        }
        catch (InvalidOptionException e)
        {
            throw new InvalidOptionException(source, e.Option, e.Expected!, e.Value);
        }
        return config;
    }

    /// <summary>Reads an adapter_config.json file.</summary>
    public static AdapterConfig Read(string path, Action<string>? warn = null)
    {
        if (!File.Exists(path)) throw new PeftSharpException($"{path}: adapter config not found");
        return Parse(StrictUtf8.ReadAllText(path), path, warn);
    }

    /// <summary>The config as PEFT writes it: indented JSON with sorted keys, plus <paramref name="extra"/> fields.</summary>
    public static string ToJson(AdapterConfig config, IReadOnlyDictionary<string, JsonNode?>? extra = null)
    {
        var json = TypedJson.Write(config, SerializerOptions);
        json["peft_type"] = config.PeftType;
        foreach (var (key, value) in extra ?? new Dictionary<string, JsonNode?>()) json[key] = value;
        return TypedJson.ToSortedText(json);
    }
}
