using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace PeftSharp.Cli.Options;

/// <summary>
/// A command line the parser rejected, as one line: the unknown option or command with the closest known one
/// ("did you mean --max-steps?"), otherwise each error naming its option, and where the help is.
/// </summary>
internal static class ParseErrors
{
    public static string Describe(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var help = command is RootCommand ? "peft --help" : $"peft {command.Name} --help";
        return $"{string.Join("; ", Messages(parse, command))} (see {help})";
    }

    private static IEnumerable<string> Messages(ParseResult parse, Command command)
    {
        if (command is RootCommand && parse.UnmatchedTokens.FirstOrDefault() is { } word && !word.StartsWith('-'))
            return [$"unknown command '{word}'{Suggestion(word, command.Subcommands.Select(c => c.Name))}"];
        // An unknown option's value is unmatched too; naming the option is enough.
        var unknownOptions = parse.UnmatchedTokens.Where(t => t.StartsWith('-')).Distinct().ToList();
        if (unknownOptions.Count > 0)
            return unknownOptions.Select(t => $"unknown option {t}{Suggestion(t, command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)))}");
        return parse.Errors.Select(e =>
        {
            var text = Regex.Replace(e.Message, @"\s*\n\s*", " ").Trim().TrimEnd('.');
            var option = (e.SymbolResult as OptionResult ?? e.SymbolResult?.Parent as OptionResult)?.Option.Name;
            return option is null || text.Contains(option, StringComparison.Ordinal) ? text : $"{option}: {text}";
        }).Distinct();
    }

    /// <summary>" (did you mean X?)" for the known name closest to <paramref name="typed"/>, when it is close enough to be a typo.</summary>
    private static string Suggestion(string typed, IEnumerable<string> known)
    {
        var name = typed.Split('=', 2)[0];
        var closest = known.Distinct()
            .Select(k => (Name: k, Distance: k.StartsWith(name, StringComparison.Ordinal) ? 1 : EditDistance.Between(name, k)))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name.Length).FirstOrDefault();
        return closest.Name is not null && closest.Distance <= Math.Max(2, name.Length / 4) ? $" (did you mean {closest.Name}?)" : "";
    }
}
