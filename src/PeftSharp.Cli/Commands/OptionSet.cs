using System.CommandLine;

namespace PeftSharp.Cli.Commands;

/// <summary>Declares options on a command in one line each.</summary>
internal sealed class OptionSet(Command command)
{
    public Option<T> Add<T>(string name, string description, T? defaultValue = default, bool required = false, string[]? choices = null)
    {
        var option = new Option<T>("--" + name) { Description = description, Required = required };
        if (defaultValue is not null) option.DefaultValueFactory = _ => defaultValue;
        if (choices is not null) option.AcceptOnlyFromAmong(choices);
        command.Options.Add(option);
        return option;
    }

    /// <summary>A nullable option: absent means "let the library choose".</summary>
    public Option<T?> Maybe<T>(string name, string description) where T : struct
    {
        var option = new Option<T?>("--" + name) { Description = description };
        command.Options.Add(option);
        return option;
    }
}
