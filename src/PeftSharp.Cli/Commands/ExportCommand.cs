using System.CommandLine;
using PeftSharp.Cli.Options;
using PeftSharp.Cli.Output;
using PeftSharp.Workflows;

namespace PeftSharp.Cli.Commands;

/// <summary><c>peft export</c>: a model (adapter merged) or a LoRA adapter as a llama.cpp GGUF file.</summary>
internal sealed class ExportCommand : ICliCommand
{
    public Command Command { get; } = new("export",
        "Write a model (with an adapter merged, any method) as a GGUF model for llama.cpp / LLamaSharp, or a LoRA adapter as a llama.cpp LoRA adapter.");
    private readonly Option<string?> model, adapter;
    private readonly Option<string> format, output, type;

    public ExportCommand()
    {
        var o = new OptionSet(Command);
        model = o.Add<string?>("model", "Base model: a HuggingFace folder or a .gguf file (for gguf-lora: default the adapter's base_model_name_or_path)");
        adapter = o.Add<string?>("adapter", "Adapter folder (PEFT format): merged into the model for gguf, exported for gguf-lora");
        format = o.Add("format", "gguf (the whole model, adapter merged) | gguf-lora (a LoRA/rsLoRA/AdaLoRA adapter for llama.cpp)", "gguf", choices: ["gguf", "gguf-lora"]);
        output = o.Add<string>("out", "The .gguf file to write", required: true, binds: ExportWorkflow.OutputOption);
        type = o.Add("type", "Element type of the 2-D weights: f32 | f16 | bf16 | q8_0 (gguf only); norms and biases stay f32", "f32", choices: [.. ExportWorkflow.Types]);
    }

    public int Run(ParseResult p, CancellationToken cancel)
    {
        string? adapterPath = p.GetValue(adapter), modelPath = p.GetValue(model);
        string outputPath = p.GetValue(output)!, elementType = p.GetValue(type)!;
        if (p.GetValue(format) == "gguf-lora")
        {
            if (adapterPath is null) throw new PeftSharpException("--adapter is required with --format gguf-lora");
            ExportWorkflow.Lora(modelPath ?? ExportWorkflow.BaseModelOf(adapterPath), adapterPath, outputPath, elementType, ConsoleOutput.Warn);
            Console.WriteLine($"LoRA adapter written to {outputPath}");
        }
        else
        {
            if (modelPath is null) throw new PeftSharpException("--model is required with --format gguf");
            ExportWorkflow.Model(modelPath, adapterPath, outputPath, elementType, ConsoleOutput.Warn);
            Console.WriteLine($"GGUF model written to {outputPath}");
        }
        return 0;
    }
}
