using System.CommandLine;
using System.Globalization;
using PeftSharp.Tuners;

namespace PeftSharp.Cli.Options;

/// <summary>
/// The command-line options of every registered method, generated from their configurations' options
/// (<see cref="MethodOptions"/>): <c>lora_alpha</c> becomes <c>--lora-alpha</c>, its help text and default come from the
/// library. Given options are applied on top of the configuration the method builds for the rank budget.
/// </summary>
internal sealed class MethodOptionBindings
{
    private readonly List<(MethodOptionInfo Info, Option<string?> Option)> bindings = [];

    /// <summary>Adds one option per method option to <paramref name="options"/>, except names in <paramref name="reserved"/> (flags the command defines itself).</summary>
    public MethodOptionBindings(OptionSet options, IReadOnlySet<string> reserved)
    {
        foreach (var info in MethodOptions.All.Where(i => !reserved.Contains(i.Name)))
        {
            var option = new Option<string?>("--" + Flag(info.Name)) { Description = Help(info) };
            if (info.ValueType == typeof(bool)) option.Arity = ArgumentArity.ZeroOrOne; // --use-rslora alone means true
            if (info.ValueType.IsEnum) option.AcceptOnlyFromAmong([.. ValueParser.Choices(info.ValueType)]);
            bindings.Add((info, options.Register(option, binds: info.Name)));
        }
    }

    /// <summary>The flag of a method option: <c>lora_alpha</c> → <c>lora-alpha</c> (without the dashes).</summary>
    internal static string Flag(string name) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(name).Replace('_', '-');

    /// <summary>
    /// <paramref name="config"/> (the budget's configuration of <paramref name="method"/>; null for full fine-tuning) with
    /// every given option that applies to it set. An option that applies to none of <paramref name="chosen"/> is an error.
    /// </summary>
    public AdapterConfig? Apply(AdapterConfig? config, ParseResult parse, IReadOnlyList<PeftMethod> chosen)
    {
        foreach (var (info, option) in bindings)
        {
            if (parse.GetResult(option) is null) continue;
            if (!chosen.Any(m => m.ConfigType is { } t && info.AppliesTo(t)))
                throw new PeftSharpException($"{option.Name} does not apply to {string.Join(", ", chosen.Select(m => m.Name))} (it is an option of {string.Join(", ", MethodsWith(info))})");
            if (config is null || !info.AppliesTo(config.GetType())) continue;
            config = MethodOptions.With(config, info.Name, ValueParser.Parse(parse.GetValue(option) ?? "", info.ValueType, option.Name));
        }
        return config;
    }

    private static IEnumerable<string> MethodsWith(MethodOptionInfo info) =>
        PeftMethods.All.Where(m => m.ConfigType is { } t && info.AppliesTo(t)).Select(m => m.Name);

    /// <summary>The description, the methods it applies to when not all, and its default with the default budget (r = 8).</summary>
    private static string Help(MethodOptionInfo info)
    {
        var methods = PeftMethods.All.Where(m => m.ConfigType is { } t && info.AppliesTo(t)).ToList();
        var adapterMethods = PeftMethods.All.Count(m => m.ConfigType is not null);
        var scope = methods.Count < adapterMethods ? $" [{string.Join(", ", methods.Select(m => m.Name))}]" : "";
        return $"{info.Description}{scope}{DefaultText(info, methods)}";
    }

    private static string DefaultText(MethodOptionInfo info, IReadOnlyList<PeftMethod> methods)
    {
        string Show(PeftMethod m, int r) => Format(MethodOptions.ValueOf(m.ForBudget(r)!, info.Name));
        var at8 = methods.Select(m => (m.Name, Value: Show(m, 8))).ToList();
        if (methods.Any(m => Show(m, 8) != Show(m, 4))) return " (default: set by --r)";
        if (at8.All(v => v.Value == "")) return "";
        return at8.Select(v => v.Value).Distinct().Count() == 1
            ? $" (default: {at8[0].Value})"
            : $" (default: {string.Join(", ", at8.Where(v => v.Value != "").Select(v => $"{v.Name} {v.Value}"))})";
    }

    /// <summary>An option value as the command line writes it (enums in snake_case, lists comma-separated).</summary>
    internal static string Format(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        Enum e => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(e.ToString()),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable list and not string => string.Join(",", list.Cast<object>()),
        _ => value.ToString() ?? "",
    };
}
