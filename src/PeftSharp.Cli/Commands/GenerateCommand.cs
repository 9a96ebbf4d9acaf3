using System.CommandLine;
using PeftSharp.Cli.Options;
using PeftSharp.Cli.Output;
using PeftSharp.Evaluation.Generation;
using PeftSharp.Workflows;

namespace PeftSharp.Cli.Commands;

/// <summary><c>peft generate</c>: continue prompts.</summary>
internal sealed class GenerateCommand : ICliCommand
{
    public Command Command { get; } = new("generate", "Generate continuations of prompts with a causal LM (optionally with an adapter).");
    private readonly Option<string> model, dtype, device;
    private readonly Option<string?> adapter;
    private readonly Option<string[]> prompt;
    private readonly GenerationFlags generation;
    private readonly Option<bool> merge;
    private readonly Option<long?> seed;

    public GenerateCommand()
    {
        var o = new OptionSet(Command);
        model = o.Add<string>("model", "Model folder", required: true);
        adapter = o.Add<string?>("adapter", "Adapter folder (PEFT format)");
        prompt = o.Add<string[]>("prompt", "Prompt text (repeat for a batch)", required: true);
        prompt.AllowMultipleArgumentsPerToken = false;
        generation = new GenerationFlags(o);
        seed = o.Maybe<long>("seed", "Sampling seed");
        merge = o.Add<bool>("merge", "Merge the adapter first (same output, base-model cost)");
        dtype = o.Add("dtype", "float32 | bfloat16 | float16", "float32", choices: Dtypes.Names);
        device = o.Add("device", "cpu | cuda | cuda:N", "cpu");
    }

    public int Run(ParseResult p, CancellationToken cancel)
    {
        var options = generation.Given(p) with { Seed = p.GetValue(seed) };
        var prompts = p.GetValue(prompt)!;
        var outputs = GenerateWorkflow.Run(p.GetValue(model)!, p.GetValue(adapter), prompts, options, p.GetValue(merge), Dtypes.Parse(p.GetValue(dtype)!), p.GetValue(device)!, ConsoleOutput.Warn);
        for (int i = 0; i < prompts.Length; i++) Console.WriteLine(prompts[i] + outputs[i]);
        return 0;
    }
}
