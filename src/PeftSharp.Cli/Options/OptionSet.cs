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
        ParseNumbers(option);
        return Register(option, binds);
    }

    /// <summary>A nullable option: absent means "let the library choose".</summary>
    public Option<T?> Maybe<T>(string name, string description, string? binds = null) where T : struct
    {
        var option = new Option<T?>("--" + name) { Description = description };
        ParseNumbers(option);
        return Register(option, binds);
    }

    /// <summary>Adds an option built elsewhere.</summary>
    public TOption Register<TOption>(TOption option, string? binds = null) where TOption : Option
    {
        command.Options.Add(option);
        if (binds is not null) FlagNames.Bind(binds, option.Name);
        return option;
    }

    /// <summary>Numbers parsed as method options are (<see cref="ValueParser"/>): "--lr: expected a number, got 'abc'", not a .NET type name.</summary>
    private static void ParseNumbers<T>(Option<T> option)
    {
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        if (type != typeof(int) && type != typeof(long) && type != typeof(double)) return;
        option.CustomParser = result =>
        {
            try
            {
                return (T)ValueParser.Parse(result.Tokens.Count > 0 ? result.Tokens[^1].Value : "", type, option.Name);
            }
            catch (PeftSharpException e)
            {
                result.AddError(e.Message);
                return default;
            }
        };
    }
}
