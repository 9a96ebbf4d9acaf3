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
    readonly Option<string> model, dtype, device;
    readonly Option<string?> adapter;
    readonly Option<string[]> prompt;
    readonly Option<int> maxNewTokens, numBeams, topK, noRepeatNgram;
    readonly Option<double> temperature, topP, lengthPenalty;
    readonly Option<bool> sample, merge;
    readonly Option<long?> seed;

    public GenerateCommand()
    {
        var o = new OptionSet(Command);
        model = o.Add<string>("model", "Model folder", required: true);
        adapter = o.Add<string?>("adapter", "Adapter folder (PEFT format)");
        prompt = o.Add<string[]>("prompt", "Prompt text (repeat for a batch)", required: true);
        prompt.AllowMultipleArgumentsPerToken = false;
        maxNewTokens = o.Add("max-new-tokens", "Tokens to generate", 32);
        sample = o.Add<bool>("sample", "Sample instead of greedy / beam decoding");
        temperature = o.Add("temperature", "Sampling temperature", 1.0);
        topK = o.Add("top-k", "Sample among the k most likely tokens (0 = all)", 50);
        topP = o.Add("top-p", "Nucleus sampling mass", 1.0);
        numBeams = o.Add("num-beams", "Beam search width (1 = greedy)", 1);
        lengthPenalty = o.Add("length-penalty", "Beam-search length penalty", 1.0);
        noRepeatNgram = o.Add("no-repeat-ngram", "Forbid repeating n-grams of this size (0 = off)", 0);
        seed = o.Maybe<long>("seed", "Sampling seed");
        merge = o.Add<bool>("merge", "Merge the adapter first (same output, base-model cost)");
        dtype = o.Add("dtype", "float32 | bfloat16 | float16", "float32", choices: Dtypes.Names);
        device = o.Add("device", "cpu | cuda | cuda:N", "cpu");
    }

    public int Run(ParseResult p, CancellationToken cancel)
    {
        var options = new GenerationOptions
        {
            MaxNewTokens = p.GetValue(maxNewTokens), DoSample = p.GetValue(sample), Temperature = p.GetValue(temperature),
            TopK = p.GetValue(topK), TopP = p.GetValue(topP), NumBeams = p.GetValue(numBeams), LengthPenalty = p.GetValue(lengthPenalty),
            NoRepeatNgramSize = p.GetValue(noRepeatNgram), EarlyStopping = p.GetValue(numBeams) > 1, Seed = p.GetValue(seed),
        };
        var prompts = p.GetValue(prompt)!;
        var outputs = GenerateWorkflow.Run(p.GetValue(model)!, p.GetValue(adapter), prompts, options, p.GetValue(merge), Dtypes.Parse(p.GetValue(dtype)!), p.GetValue(device)!, ConsoleOutput.Warn);
        for (int i = 0; i < prompts.Length; i++) Console.WriteLine(prompts[i] + outputs[i]);
        return 0;
    }
}
