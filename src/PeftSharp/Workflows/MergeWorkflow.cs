using PeftSharp.IO;
using PeftSharp.Models;
using static TorchSharp.torch;

namespace PeftSharp.Workflows;

/// <summary>
/// <c>peft merge</c>: base model + adapter → a full HuggingFace-layout checkpoint (same key layout as the input)
/// whose inference costs exactly the base model's, with the tokenizer files copied alongside.
/// </summary>
public static class MergeWorkflow
{
    /// <summary>
    /// Merges; the output folder must be empty (or <paramref name="overwrite"/> given) and may neither be, lie inside nor
    /// contain the model or the adapter folder.
    /// </summary>
    public static void Run(string modelDirectory, string adapterDirectory, string outputDirectory, ScalarType dtype = ScalarType.Float32, Action<string>? warn = null,
        bool overwrite = false)
    {
        warn ??= _ => { };
        using var folder = OutputFolder.Claim(outputDirectory, "OutputDirectory", [("the model folder", modelDirectory), ("the adapter folder", adapterDirectory)],
            acceptExisting: overwrite);
        using var scope = NewDisposeScope();
        using var session = ModelSession.Open(modelDirectory, adapterDirectory, null, dtype, CPU, warn);
        using (no_grad()) session.Peft!.MergeAndUnload();
        PretrainedModelLoader.Save(session.Model, outputDirectory);
        ModelFiles.CopyTokenizer(modelDirectory, outputDirectory);
    }
}
