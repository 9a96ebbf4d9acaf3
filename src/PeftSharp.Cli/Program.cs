using System.CommandLine;
using System.Globalization;
using PeftSharp;
using PeftSharp.Cli;
using PeftSharp.Cli.Commands;
using PeftSharp.Cli.Output;

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

var train = new TrainCommand();
var root = new RootCommand("PeftSharp: parameter-efficient fine-tuning (LoRA, DoRA, Dual LoRA, LoRA², AdaLoRA, LoRA+) for .NET");
root.Subcommands.Add(train.Command);
foreach (var command in Commands.Others()) root.Subcommands.Add(command.Build());
train.Command.SetAction(p => Guard(() => train.Run(p, cancel.Token)));
foreach (var command in Commands.Others()) { }

try
{
    var expanded = args.Length > 0 && args[0] == "train" ? Recipes.Expand(args, train.Options.Names) : args;
    var parse = root.Parse(expanded);
    return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
}
catch (PeftSharpException e)
{
    ConsoleOutput.Error(e.Message);
    return 1;
}

static int Guard(Func<int> action)
{
    try
    {
        return action();
    }
    catch (PeftSharpException e)
    {
        ConsoleOutput.Error(e.Message);
        return 1;
    }
    catch (OperationCanceledException)
    {
        ConsoleOutput.Error("interrupted");
        return 130;
    }
}
