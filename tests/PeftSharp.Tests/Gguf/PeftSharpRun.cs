using PeftSharp.Models;
using PeftSharp.Tokenization;
using PeftSharp.Workflows;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Gguf;

/// <summary>The PeftSharp side of the llama.cpp comparisons: a model (adapter applied, not merged) and its tokenizer.</summary>
internal sealed class PeftSharpRun : IDisposable
{
    private readonly ModelSession session;

    public PeftSharpRun(string model, string? adapter = null)
    {
        session = ModelSession.Open(model, adapter, null, ScalarType.Float32, CPU, _ => { });
        Tokenizer = TokenizerLoader.Load(model);
    }

    public ITextTokenizer Tokenizer { get; }
    private ICausalLanguageModel Lm => (ICausalLanguageModel)session.Model;

    public float[][] Logits(IReadOnlyList<int> tokens)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var logits = Lm.Forward(tensor(tokens.Select(t => (long)t).ToArray()).unsqueeze(0))[0];
        return Enumerable.Range(0, tokens.Count).Select(i => logits[i].data<float>().ToArray()).ToArray();
    }

    public int[] Greedy(IReadOnlyList<int> prompt, int count)
    {
        var sequence = prompt.ToList();
        for (int i = 0; i < count; i++) sequence.Add(LlamaCpp.ArgMax(Logits(sequence)[^1]));
        return sequence.Skip(prompt.Count).ToArray();
    }

    /// <summary>max |a − b| over every logit of every position.</summary>
    public static double MaxDifference(float[][] a, float[][] b) =>
        a.Zip(b, (x, y) => x.Zip(y, (u, v) => Math.Abs((double)u - v)).Max()).Max();

    public void Dispose() => session.Dispose();
}
