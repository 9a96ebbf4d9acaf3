using PeftSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Evaluation.Generation;

/// <summary>
/// A hand-made "language model" whose next-token distribution depends only on the last token:
/// probabilities[last][next]. Lets tests know the best sequence in advance.
/// </summary>
internal sealed class TableModel : nn.Module, ICausalLanguageModel
{
    private readonly float[,] logProbabilities;

    public TableModel(double[,] probabilities, params int[] eos) : this(LogsOf(probabilities), eos) { }

    /// <summary>A table of next-token logits (rows: last token), used as given.</summary>
    public TableModel(float[,] logits, params int[] eos) : base(nameof(TableModel))
    {
        logProbabilities = logits;
        EosTokenIds = eos;
    }

    private static float[,] LogsOf(double[,] probabilities)
    {
        var n = probabilities.GetLength(0);
        var logs = new float[n, n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                logs[i, j] = (float)Math.Log(Math.Max(probabilities[i, j], 1e-9));
        return logs;
    }

    public int Calls { get; private set; }
    public string ModelType => "table";
    public ModelConfig Config => throw new NotSupportedException();
    public nn.Module Module => this;
    public int MaxPositions => 1000;
    public int VocabSize => logProbabilities.GetLength(0);
    public IReadOnlyList<int> EosTokenIds { get; }

    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, KvCache? cache = null)
    {
        Calls++;
        using var table = torch.tensor(logProbabilities);
        return table.index_select(0, inputIds.flatten()).view(inputIds.shape[0], inputIds.shape[1], VocabSize);
    }
}
