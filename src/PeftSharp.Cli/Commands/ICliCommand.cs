using System.CommandLine;

namespace PeftSharp.Cli.Commands;

/// <summary>A subcommand: its options and what it does (returning the exit code).</summary>
internal interface ICliCommand
{
    Command Command { get; }
    int Run(ParseResult parse, CancellationToken cancel);
}
