using PeftSharp.Models;
using static TorchSharp.torch;

namespace PeftSharp.Workflows;

/// <summary>
/// <c>peft merge</c>: base model + adapter → a full HuggingFace-layout checkpoint (same key layout as the input)
/// whose inference costs exactly the base model's, with the tokenizer files copied alongside.
/// </summary>
public static class MergeWorkflow
{
    public static void Run(string modelDirectory, string adapterDirectory, string outputDirectory, ScalarType dtype = ScalarType.Float32, Action<string>? warn = null)
    {
        warn ??= _ => { };
        if (Path.GetFullPath(outputDirectory) == Path.GetFullPath(modelDirectory))
            throw new PeftSharpException($"{outputDirectory} is the base model folder; write the merged model elsewhere");
        using var scope = NewDisposeScope();
        using var session = ModelSession.Open(modelDirectory, adapterDirectory, null, dtype, CPU, warn);
        using (no_grad()) session.Peft!.MergeAndUnload();
        Directory.CreateDirectory(outputDirectory);
        PretrainedModelLoader.Save(session.Model, outputDirectory);
        ModelFiles.CopyTokenizer(modelDirectory, outputDirectory);
    }
}
