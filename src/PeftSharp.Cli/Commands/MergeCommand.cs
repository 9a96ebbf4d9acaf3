using System.CommandLine;
using PeftSharp.Cli.Options;
using PeftSharp.Cli.Output;
using PeftSharp.Workflows;

namespace PeftSharp.Cli.Commands;

/// <summary><c>peft merge</c>: write base + adapter as one HuggingFace checkpoint.</summary>
internal sealed class MergeCommand : ICliCommand
{
    public Command Command { get; } = new("merge", "Merge an adapter into its base model and save a full HuggingFace-layout checkpoint.");
    private readonly Option<string> model, adapter, output, dtype;
    private readonly Option<bool> overwrite;

    public MergeCommand()
    {
        var o = new OptionSet(Command);
        model = o.Add<string>("model", "Base model folder", required: true);
        adapter = o.Add<string>("adapter", "Adapter folder (PEFT format)", required: true);
        output = o.Add<string>("out", "Folder for the merged model (config.json, model.safetensors, tokenizer)", required: true);
        dtype = o.Add("dtype", "float32 | bfloat16 | float16", "float32", choices: Dtypes.Names);
        overwrite = o.Add<bool>("overwrite", "Write into an --out that already holds files (a merged model there is replaced)");
    }

    public int Run(ParseResult p, CancellationToken cancel)
    {
        MergeWorkflow.Run(p.GetValue(model)!, p.GetValue(adapter)!, p.GetValue(output)!, Dtypes.Parse(p.GetValue(dtype)!), ConsoleOutput.Warn, p.GetValue(overwrite));
        Console.WriteLine($"merged model written to {p.GetValue(output)}");
        return 0;
    }
}
