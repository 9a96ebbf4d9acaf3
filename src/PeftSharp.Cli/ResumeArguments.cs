using System.CommandLine;
using PeftSharp.Training;

namespace PeftSharp.Cli;

/// <summary>
/// <c>peft train --resume DIR</c> alone continues a run. A run records the options it was given (paths made absolute,
/// recipes expanded) in every checkpoint; resuming adds them back for each option not given again, and <c>--out</c>
/// defaults to the folder holding the checkpoint. An option given again must agree with the checkpoint — the library
/// checks every setting that shapes the result — except the length of the run (<c>--max-steps</c>, <c>--epochs</c>).
/// </summary>
internal static class ResumeArguments
{
    /// <summary>Options that are not part of the run: where it goes, how it was started, and the resume itself.</summary>
    private static readonly string[] NotRecorded = ["resume", "out", "overwrite", "recipe", "allow-non-finite"];

    /// <summary>The options given on <paramref name="parse"/>'s command line as <c>--name=value</c> tokens, with the values of <paramref name="paths"/> made absolute.</summary>
    public static IReadOnlyList<string> Record(ParseResult parse, IReadOnlyCollection<Option> paths)
    {
        var recorded = new List<string>();
        foreach (var option in parse.CommandResult.Command.Options)
        {
            if (parse.GetResult(option) is not { Implicit: false } given || NotRecorded.Contains(option.Name.TrimStart('-'))) continue;
            var values = given.Tokens.Select(t => paths.Contains(option) ? Path.GetFullPath(t.Value) : t.Value).ToList();
            recorded.AddRange(values.Count == 0 ? [option.Name] : values.Select(v => $"{option.Name}={v}"));
        }
        return recorded;
    }

    /// <summary><paramref name="args"/> with the recorded options of the run <c>--resume</c> names added; unchanged without --resume.</summary>
    public static string[] Expand(string[] args, Command command)
    {
        if (command.Name != "train") return args;
        int at = Array.FindIndex(args, a => a == "--resume" || a.StartsWith("--resume=", StringComparison.Ordinal));
        if (at < 0) return args;
        var path = args[at].Contains('=') ? args[at]["--resume=".Length..] : at + 1 < args.Length ? args[at + 1] : null;
        if (path is null) return args; // the parser reports the missing value
        var point = Trainer.FindResumePoint(path);
        var given = args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).Select(Name).ToHashSet();
        var extra = new List<string>();
        if (!given.Contains("out")) extra.AddRange(["--out", point.OutputDirectory]);
        extra.AddRange((point.CommandLine ?? []).Where(token => !given.Contains(Name(token))));
        return [.. args, .. extra];
    }

    private static string Name(string token) => token.Split('=', 2)[0].TrimStart('-');
}
