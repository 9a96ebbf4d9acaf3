using PeftSharp.Evaluation.Generation;
using PeftSharp.Tokenization;

namespace PeftSharp.Workflows;

/// <summary>The generation options the workflows (generate, eval, train's evaluation) run with.</summary>
internal static class WorkflowGeneration
{
    /// <summary>New tokens per prompt when neither the options nor the model's generation config set a length.</summary>
    public const int DefaultMaxNewTokens = 32;

    /// <summary>
    /// <paramref name="given"/> over the model folder's generation config (generation_config.json, else config.json), as
    /// transformers combines generate()'s arguments with the model's, then <see cref="DefaultMaxNewTokens"/> when no
    /// length is set anywhere. Unless the EOS ids are given, generation stops at the config's EOS ids (else the model's)
    /// and also at the tokenizer's EOS, which PeftSharp's training appends to every completion (null
    /// <paramref name="tokenizer"/>: a model folder without one, evaluated on token ids).
    /// </summary>
    public static GenerationOptions Resolve(GenerationOptions given, string modelDirectory, ITextTokenizer? tokenizer, IReadOnlyList<int> modelEos, Action<string> warn)
    {
        var options = given.Over(GenerationOptions.FromModelFolder(modelDirectory, warn)).Over(new GenerationOptions { MaxNewTokens = DefaultMaxNewTokens });
        var eos = options.EosTokenIds ?? modelEos;
        if (given.EosTokenIds is null && tokenizer?.EosTokenId is { } tokenizerEos && !eos.Contains(tokenizerEos)) eos = [.. eos, tokenizerEos];
        return options with { EosTokenIds = eos, PadTokenId = options.PadTokenId ?? tokenizer?.PadTokenId ?? (eos.Count > 0 ? eos[0] : 0) };
    }
}
