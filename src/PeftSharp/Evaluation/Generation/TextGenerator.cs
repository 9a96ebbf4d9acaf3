using TorchSharp;
using PeftSharp.Models;
using static TorchSharp.torch;

namespace PeftSharp.Evaluation.Generation;

/// <summary>
/// Continues prompts with a causal language model: greedy, sampling (temperature, top-k, top-p) or
/// beam search, with an optional KV cache, left-padded batches and per-sequence EOS stopping.
/// </summary>
public static class TextGenerator
{
    /// <summary>
    /// The new token ids for each prompt (prompt not included), ending with the EOS token that stopped it, if any.
    /// Unset options take HF's defaults and the model config's EOS ids (<see cref="GenerationOptions"/>); an empty prompt
    /// starts from bos_token_id. Runs without gradients and in eval mode (the module's mode is restored afterwards).
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<int>> Generate(ICausalLanguageModel model, IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options)
    {
        if (prompts.Count == 0) throw new PeftSharpException("generation needs at least one prompt");
        prompts = prompts.Select(p => p.Count > 0 || options.BosTokenId is null ? p : [options.BosTokenId.Value]).ToList();
        var decoding = options.Resolve(model.EosTokenIds, prompts.Max(p => p.Count));
        ValidatePrompts(model, prompts, decoding);
        var module = model.Module;
        var wasTraining = module.training;
        module.eval();
        try
        {
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            return decoding.NumBeams > 1 ? BeamSearch.Run(model, prompts, decoding) : Decode(model, prompts, decoding);
        }
        finally
        {
            if (wasTraining) module.train();
        }
    }

    private static void ValidatePrompts(ICausalLanguageModel model, IReadOnlyList<IReadOnlyList<int>> prompts, Decoding options)
    {
        for (var i = 0; i < prompts.Count; i++)
        {
            if (prompts[i].Count == 0) throw new PeftSharpException($"prompt {i} is empty (generation needs at least one token, e.g. BOS; bos_token_id is not set)");
            foreach (var token in prompts[i])
                if (token < 0 || token >= model.VocabSize)
                    throw new PeftSharpException($"prompt {i} has token id {token}, outside the vocabulary (0..{model.VocabSize - 1})");
        }
        var longest = prompts.Max(p => p.Count);
        if (longest + options.MaxNewTokens > model.MaxPositions)
            throw new PeftSharpException(
                $"prompt of {longest} tokens + max_new_tokens {options.MaxNewTokens} exceeds the model's {model.MaxPositions} positions; shorten the prompt or max_new_tokens");
    }

    /// <summary>Greedy or sampled decoding.</summary>
    private static List<IReadOnlyList<int>> Decode(ICausalLanguageModel model, IReadOnlyList<IReadOnlyList<int>> prompts, Decoding options)
    {
        var rows = prompts.Count;
        var outputs = Enumerable.Range(0, rows).Select(_ => new List<int>()).ToList();
        var finished = new bool[rows];
        using var batch = new PromptBatch(model, prompts, 1, options.Pad, options.UseCache);
        using var generator = options.DoSample && options.Seed is { } seed ? new Generator((ulong)seed, batch.Device) : null;
        for (var step = 0; step < options.MaxNewTokens; step++)
        {
            long[] chosen;
            using (var scope = torch.NewDisposeScope())
            {
                var logits = batch.NextTokenLogits();                                        // (rows, vocab)
                LogitsProcessing.BanRepeatedNgrams(logits, batch.Sequences, options.NoRepeatNgramSize);
                var next = options.DoSample
                    ? torch.multinomial(LogitsProcessing.Warp(logits, options).softmax(-1), 1, false, generator).squeeze(1)
                    : logits.argmax(-1);                                                     // (rows)
                chosen = next.to(ScalarType.Int64).cpu().data<long>().ToArray();
            }
            for (var row = 0; row < rows; row++)
            {
                if (finished[row]) { chosen[row] = options.Pad; continue; }
                outputs[row].Add((int)chosen[row]);
                if (options.Eos.Contains((int)chosen[row])) finished[row] = true; // any of the EOS ids
            }
            if (finished.All(f => f) || step == options.MaxNewTokens - 1) break;
            batch.Append(chosen, null);
        }
        return outputs.Cast<IReadOnlyList<int>>().ToList();
    }
}
