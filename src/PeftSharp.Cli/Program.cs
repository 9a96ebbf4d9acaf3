using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;
using PeftSharp;
using PeftSharp.Cli;
using PeftSharp.Cli.Commands;
using PeftSharp.Cli.Options;
using PeftSharp.Cli.Output;

InterruptSignal.RestoreDefaultHandling();
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

// Ctrl-C asks the running command to stop cleanly (training writes a checkpoint first); a second Ctrl-C kills.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (cancel.IsCancellationRequested) return;
    e.Cancel = true;
    Console.Error.WriteLine("interrupt: finishing the current step and writing a checkpoint (Ctrl-C again to kill)");
    cancel.Cancel();
};

ICliCommand[] commands = [new TrainCommand(), new EvalCommand(), new GenerateCommand(), new MergeCommand(), new InspectCommand(), new CompareCommand(), new AblateCommand(), new DemoCommand(), new TokenizerCommand(), new ExportCommand()];
var root = new RootCommand("PeftSharp: parameter-efficient fine-tuning (LoRA, DoRA, Dual LoRA, LoRA², AdaLoRA, LoRA+) for .NET");
foreach (var command in commands)
{
    root.Subcommands.Add(command.Command);
    command.Command.SetAction(p => Guard(() => command.Run(p, cancel.Token)));
}

try
{
    var command = args.Length > 0 ? root.Subcommands.FirstOrDefault(c => c.Name == args[0]) : null;
    var parse = root.Parse(command is null ? args : Recipes.Expand(args, command));
    if (parse.Action is ParseErrorAction && args.Length > 0)
    {
        // One line naming the option, not the whole help text (bare `peft` still shows the help).
        ConsoleOutput.Error(Describe(parse));
        return 1;
    }
    return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
}
catch (PeftSharpException e)
{
    ConsoleOutput.Error(Explain(e));
    return 1;
}

// A library error about an option is shown with the flag that sets it (LearningRate → --lr).
static string Explain(PeftSharpException e) =>
    e is InvalidOptionException invalid && FlagNames.For(invalid.Option) is { } flag ? invalid.MessageFor(flag) : e.Message;

static string Describe(ParseResult parse)
{
    var messages = parse.Errors.Select(e =>
    {
        var text = Regex.Replace(e.Message, @"\s*\n\s*", " ").Trim().TrimEnd('.');
        var option = (e.SymbolResult as OptionResult ?? e.SymbolResult?.Parent as OptionResult)?.Option.Name;
        return option is null || text.Contains(option, StringComparison.Ordinal) ? text : $"{option}: {text}";
    }).Distinct();
    var help = parse.CommandResult.Command is RootCommand ? "peft --help" : $"peft {parse.CommandResult.Command.Name} --help";
    return $"{string.Join("; ", messages)} (see {help})";
}

static int Guard(Func<int> action)
{
    try
    {
        return action();
    }
    catch (PeftSharpException e)
    {
        ConsoleOutput.Error(Explain(e));
        return 1;
    }
    catch (OperationCanceledException)
    {
        ConsoleOutput.Error("interrupted");
        return 130;
    }
    catch (Exception e) when (Environment.GetEnvironmentVariable("PEFT_DEBUG") != "1")
    {
        // Not a known bad-input case: a bug. One line, with how to get the details.
        ConsoleOutput.Error($"internal error ({e.GetType().Name}): {e.Message} — this is a bug in PeftSharp; rerun with PEFT_DEBUG=1 for the stack trace");
        return 70;
    }
}
