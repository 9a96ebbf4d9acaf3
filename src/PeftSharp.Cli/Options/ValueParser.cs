using System.Globalization;
using System.Text.Json;
using PeftSharp.IO;
using PeftSharp.Tuners;

namespace PeftSharp.Cli.Options;

/// <summary>Turns a command-line or recipe value into a library option's type, with an error that says what was expected.</summary>
internal static class ValueParser
{
    public static object Parse(string text, Type type, string flag)
    {
        object? value = type switch
        {
            _ when type == typeof(int) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : null,
            _ when type == typeof(long) => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : null,
            _ when type == typeof(double) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null,
            _ when type == typeof(bool) => text.ToLowerInvariant() switch { "" or "true" => true, "false" => false, _ => null },
            _ when type == typeof(string) => text,
            _ when type.IsEnum => Enum.GetValues(type).Cast<object>().FirstOrDefault(v => SnakeCase(v.ToString()!) == text.Replace('-', '_').ToLowerInvariant()),
            _ when type == typeof(TargetModules) => TargetModules.Parse(text),
            _ when typeof(IEnumerable<string>).IsAssignableFrom(type) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(),
            _ when type == typeof(IReadOnlyList<int>) => Integers(text),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no command-line form"),
        };
        return value ?? throw new PeftSharpException($"{flag}: expected {TypedJson.Describe(type)}, got '{text}'");
    }

    /// <summary>"0,1,5" as integers; null when any item is not one.</summary>
    private static List<int>? Integers(string text)
    {
        var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var values = items.Select(i => int.TryParse(i, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : (int?)null).ToList();
        return values.Count > 0 && values.All(v => v is not null) ? values.Select(v => v!.Value).ToList() : null;
    }

    /// <summary>The names an enum takes on the command line (snake_case, as in the JSON files).</summary>
    public static IEnumerable<string> Choices(Type enumType) => Enum.GetNames(enumType).Select(SnakeCase);

    private static string SnakeCase(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}
