using PeftSharp.Data;
using PeftSharp.Evaluation.Generation;
using PeftSharp.Models;
using PeftSharp.Tokenization;
using static TorchSharp.torch;

namespace PeftSharp.Workflows;

/// <summary>
/// <c>peft generate</c>: continue prompts with a causal LM, optionally with an adapter (merged or not). Unset options come
/// from the model's generation_config.json (see <see cref="WorkflowGeneration.Resolve"/>).
/// </summary>
public static class GenerateWorkflow
{
    public static IReadOnlyList<string> Run(string modelDirectory, string? adapterDirectory, IReadOnlyList<string> prompts, GenerationOptions options,
        bool merge = false, ScalarType dtype = ScalarType.Float32, string device = "cpu", Action<string>? warn = null)
    {
        warn ??= _ => { };
        var tokenizer = TokenizerLoader.Load(modelDirectory);
        using var scope = NewDisposeScope();
        using var session = ModelSession.Open(modelDirectory, adapterDirectory, null, dtype, Devices.Resolve(device), warn);
        if (session.Model is not ICausalLanguageModel lm)
            throw new PeftSharpException($"{modelDirectory}: generation needs a causal language model, not a classifier");
        if (merge) session.Peft?.Merge();
        var encoding = new CausalLmEncodingOptions
        {
            Encode = text => tokenizer.Encode(text, addSpecialTokens: false),
            EosId = tokenizer.EosTokenId ?? 0,
            BosId = tokenizer.BosTokenId is { } bos && bos != tokenizer.EosTokenId ? bos : null,
        };
        var ids = prompts.Select(p => (IReadOnlyList<int>)CausalLmEncoding.EncodePrompt(new PromptCompletionExample(p, " "), encoding)).ToList();
        var resolved = WorkflowGeneration.Resolve(options, modelDirectory, tokenizer, lm.EosTokenIds, warn);
        using var noGrad = no_grad();
        return TextGenerator.Generate(lm, ids, resolved).Select(t => tokenizer.Decode(t, skipSpecialTokens: true)).ToList();
    }
}
