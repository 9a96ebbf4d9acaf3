using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using PeftSharp;
using PeftSharp.Cli;
using PeftSharp.IO;
using PeftSharp.Cli.Commands;
using PeftSharp.Cli.Options;
using PeftSharp.Cli.Output;

InterruptSignal.RestoreDefaultHandling();
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

// Ctrl-C or SIGTERM asks the running command to stop cleanly (training writes a checkpoint first); a second signal kills.
using var cancel = new CancellationTokenSource();
using var signals = StopSignals.Install(cancel);

ICliCommand[] commands = [new TrainCommand(), new EvalCommand(), new GenerateCommand(), new MergeCommand(), new InspectCommand(), new CompareCommand(), new AblateCommand(), new DemoCommand(), new TokenizerCommand(), new ExportCommand()];
var root = new RootCommand("PeftSharp: parameter-efficient fine-tuning (LoRA, DoRA, Dual LoRA, LoRA², AdaLoRA, LoRA+) for .NET");
foreach (var command in commands)
{
    root.Subcommands.Add(command.Command);
    command.Command.SetAction(p => Guard(() => command.Run(p, cancel.Token)));
}
var allowNonFinite = new Option<bool>("--allow-non-finite")
{
    Description = "Load weights that hold NaN or ±Inf (refused otherwise: they come from a run that diverged)",
    Recursive = true,
};
root.Options.Add(allowNonFinite);
FlagNames.Bind("AllowNonFinite", allowNonFinite.Name);

try
{
    var command = args.Length > 0 ? root.Subcommands.FirstOrDefault(c => c.Name == args[0]) : null;
    var parse = root.Parse(command is null ? args : ResumeArguments.Expand(Recipes.Expand(args, command), command));
    if (parse.Action is ParseErrorAction && args.Length > 0)
    {
        // One line naming the option, not the whole help text (bare `peft` still shows the help).
        ConsoleOutput.Error(ParseErrors.Describe(parse));
        return 1;
    }
    using var nonFinite = parse.GetValue(allowNonFinite) ? NonFiniteWeights.Allow() : null;
    return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
}
catch (PeftSharpException e)
{
    ConsoleOutput.Error(Explain(e));
    return 1;
}

// A library error about an option is shown with the flag that sets it (LearningRate → --lr), and with the flags that
// would let a refused operation go ahead (Overwrite → --overwrite).
static string Explain(PeftSharpException e)
{
    var message = e is InvalidOptionException invalid && FlagNames.For(invalid.Option) is { } flag ? invalid.MessageFor(flag) : e.Message;
    var remedies = e.Remedies.Select(FlagNames.For).OfType<string>().ToList();
    return remedies.Count > 0 ? $"{message} ({string.Join(", ", remedies)})" : message;
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
        return StopSignals.ExitCode;
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
    {
        // The machine refused a read or write the library did not foresee: a condition to fix, not a bug.
        ConsoleOutput.Error(e.Message);
        return 1;
    }
    catch (Exception e) when (Environment.GetEnvironmentVariable("PEFT_DEBUG") != "1")
    {
        // Not a known bad-input case: a bug. One line (libtorch appends its C++ frames), with how to get the details.
        ConsoleOutput.Error($"internal error ({e.GetType().Name}): {e.Message.Split('\n')[0]} — this is a bug in PeftSharp; rerun with PEFT_DEBUG=1 for the stack trace");
        return 70;
    }
}
