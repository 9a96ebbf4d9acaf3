using System.Text.Json;
using System.Text.Json.Serialization;

namespace PeftSharp.Evaluation.Generation;

/// <summary>HF's <c>early_stopping</c> values: false, true, "never".</summary>
internal sealed class EarlyStoppingJsonConverter : JsonConverter<EarlyStopping>
{
    private const string Expected = "false, true or \"never\"";

    public override EarlyStopping Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.False => EarlyStopping.Heuristic,
        JsonTokenType.True => EarlyStopping.WhenBeamsFinished,
        JsonTokenType.String when reader.GetString() == "never" => EarlyStopping.Never,
        _ => throw new JsonException(Expected, new PeftSharpException(Expected)),
    };

    public override void Write(Utf8JsonWriter writer, EarlyStopping value, JsonSerializerOptions options)
    {
        if (value == EarlyStopping.Never) writer.WriteStringValue("never");
        else writer.WriteBooleanValue(value == EarlyStopping.WhenBeamsFinished);
    }

}
