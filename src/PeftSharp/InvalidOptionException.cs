using System.Globalization;

namespace PeftSharp;

/// <summary>
/// An option or configuration field with a value it does not accept. <see cref="Option"/> is the field's canonical
/// name (the JSON name of a config field, e.g. <c>lora_alpha</c>, or the property name of an options record, e.g.
/// <c>LearningRate</c>), so a front end can name it its own way (the CLI says <c>--lr</c>).
/// </summary>
public sealed class InvalidOptionException : PeftSharpException
{
    /// <summary>A value outside what the option accepts: "owner: 'option' must be expected, got value".</summary>
    public InvalidOptionException(string owner, string option, string expected, object? value)
        : base($"{owner}: '{option}' must be {expected}, got {Format(value)}")
    {
        (Owner, Option, Expected, Value) = (owner, option, expected, value);
    }

    /// <summary>A path or name that does not work, with what is wrong: "value: problem".</summary>
    public InvalidOptionException(string option, string value, string problem) : base($"{value}: {problem}")
    {
        (Owner, Option, Value, Problem) = ("", option, value, problem);
    }

    /// <summary>What holds the option: a config type ("DUAL_LORA config"), a file, or an options record.</summary>
    public string Owner { get; }
    /// <summary>The option's canonical name.</summary>
    public string Option { get; }
    /// <summary>What the option accepts, e.g. "≥ 1" (null when <see cref="Problem"/> says what is wrong instead).</summary>
    public string? Expected { get; }
    /// <summary>The rejected value.</summary>
    public object? Value { get; }
    /// <summary>What is wrong with the value, e.g. "model folder not found".</summary>
    public string? Problem { get; }

    /// <summary>The same error with the option named <paramref name="name"/> (e.g. a command-line flag) and no owner.</summary>
    public string MessageFor(string name) =>
        Problem is not null ? $"{name} {Value}: {Problem}" : $"{name} must be {Expected}, got {Format(Value)}";

    private static string Format(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null",
    };
}
