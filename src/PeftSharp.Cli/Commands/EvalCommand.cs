using System.CommandLine;
using System.Text.Json;
using PeftSharp.Cli.Options;
using PeftSharp.Cli.Output;
using PeftSharp.Data;
using PeftSharp.Evaluation.Generation;
using PeftSharp.Workflows;

namespace PeftSharp.Cli.Commands;

/// <summary><c>peft eval</c>: metrics of a model (with an optional adapter, merged or not) on evaluation data.</summary>
internal sealed class EvalCommand : ICliCommand
{
    public Command Command { get; } = new("eval", "Evaluate a model, optionally with an adapter, on evaluation data.");
    private readonly Option<string> model, data, task, dtype, device;
    private readonly Option<string?> adapter;
    private readonly Option<int?> maxLength, maxExamples;
    private readonly Option<int> batchSize;
    private readonly GenerationFlags generation;
    private readonly Option<bool> merge, json, referenceIndentation;

    public EvalCommand()
    {
        var o = new OptionSet(Command);
        model = o.Add<string>("model", "Model folder", required: true);
        adapter = o.Add<string?>("adapter", "Adapter folder (PEFT format)");
        data = o.Add<string>("data", DataHelp.Evaluation, required: true);
        task = o.Add("task", DataHelp.Task, "auto");
        merge = o.Add<bool>("merge", "Merge the adapter into the weights first (must give the same metrics)");
        maxLength = o.Maybe<int>("max-length", "Longest sequence in tokens (default: the model's context; 512 for classification; never more than the context); longer ones are truncated with a warning");
        maxExamples = o.Maybe<int>("max-examples", "Evaluate at most this many examples");
        batchSize = o.Add("batch-size", "Evaluation batch size", 32);
        generation = new GenerationFlags(o); // for generation-evaluated tasks
        referenceIndentation = o.Add<bool>("reference-indentation", "Commonsense prompts with the reference whitespace");
        json = o.Add<bool>("json", "Print the metrics as JSON");
        dtype = o.Add("dtype", "float32 | bfloat16 | float16", "float32", choices: Dtypes.Names);
        device = o.Add("device", "cpu | cuda | cuda:N", "cpu");
    }

    public int Run(ParseResult p, CancellationToken cancel)
    {
        var settings = new EvalSettings
        {
            ModelDirectory = p.GetValue(model)!, AdapterDirectory = p.GetValue(adapter), DataPath = p.GetValue(data)!, Task = TaskSpec.Parse(p.GetValue(task), p.GetValue(data)!),
            MaxLength = p.GetValue(maxLength), Merge = p.GetValue(merge), MaxExamples = p.GetValue(maxExamples), BatchSize = p.GetValue(batchSize),
            ReferenceIndentation = p.GetValue(referenceIndentation),
            Generation = generation.Given(p),
            Dtype = Dtypes.Parse(p.GetValue(dtype)!), Device = p.GetValue(device)!,
        };
        var result = ProgressDisplay.Run(display =>
        {
            var bar = display.Start("eval");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            return EvalWorkflow.Run(settings, display.Warn, (done, total) =>
                bar.Report(done, total, "examples", done > 0 ? clock.Elapsed / done * (total - done) : null));
        });
        if (p.GetValue(json))
        {
            var output = new System.Text.Json.Nodes.JsonObject(result.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal)
                .Select(m => KeyValuePair.Create(m.Key, (System.Text.Json.Nodes.JsonNode?)m.Value)))
            { ["examples"] = result.Examples };
            Console.WriteLine(output.ToJsonString(ConsoleOutput.JsonOptions));
        }
        else
        {
            Console.WriteLine($"{ConsoleOutput.Metrics(result.Metrics)} ({result.Examples:N0} examples)");
        }
        return 0;
    }
}
