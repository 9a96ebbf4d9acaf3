using System.CommandLine;

namespace PeftSharp.Cli.Options;

/// <summary>Declares options on a command in one line each, recording which library option each flag sets.</summary>
internal sealed class OptionSet(Command command)
{
    public Command Command => command;

    /// <summary>An option with a default; <paramref name="binds"/> is the library's name for what it sets (e.g. "LearningRate"), for error messages.</summary>
    public Option<T> Add<T>(string name, string description, T? defaultValue = default, bool required = false, string[]? choices = null, string? binds = null)
    {
        var option = new Option<T>("--" + name) { Description = description, Required = required };
        if (defaultValue is not null) option.DefaultValueFactory = _ => defaultValue;
        if (choices is not null) option.AcceptOnlyFromAmong(choices);
        return Register(option, binds);
    }

    /// <summary>A nullable option: absent means "let the library choose".</summary>
    public Option<T?> Maybe<T>(string name, string description, string? binds = null) where T : struct =>
        Register(new Option<T?>("--" + name) { Description = description }, binds);

    /// <summary>Adds an option built elsewhere.</summary>
    public TOption Register<TOption>(TOption option, string? binds = null) where TOption : Option
    {
        command.Options.Add(option);
        if (binds is not null) FlagNames.Bind(binds, option.Name);
        return option;
    }
}
