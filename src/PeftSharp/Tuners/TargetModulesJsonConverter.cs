using System.Text.Json;
using System.Text.Json.Serialization;

namespace PeftSharp.Tuners;

/// <summary>PEFT's <c>target_modules</c> on disk: a list of module names, or one string (a regular expression or "all-linear").</summary>
internal sealed class TargetModulesJsonConverter : JsonConverter<TargetModules>
{
    private const string Expected = "a list of module names or a regular expression string";

    public override TargetModules Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        try
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    return TargetModules.FromPattern(reader.GetString()!);
                case JsonTokenType.StartArray:
                    var names = new List<string>();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        names.Add(reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException(Expected));
                    return TargetModules.FromNames([.. names]);
                default:
                    throw new JsonException(Expected);
            }
        }
        catch (PeftSharpException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, TargetModules value, JsonSerializerOptions options)
    {
        if (value.Names is { } names)
        {
            writer.WriteStartArray();
            foreach (var name in names) writer.WriteStringValue(name);
            writer.WriteEndArray();
        }
        else
        {
            writer.WriteStringValue(value.ToString());
        }
    }
}
