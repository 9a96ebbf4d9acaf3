using PeftSharp.Evaluation;
using PeftSharp.Data;
using PeftSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Training;

/// <summary>A tiny causal LM (embedding → tanh(Linear) → head) for trainer tests.</summary>
internal sealed class ToyLm : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006
    public nn.Module<Tensor, Tensor> wte;
    public nn.Module<Tensor, Tensor> fc;
    public nn.Module<Tensor, Tensor> lm_head;
#pragma warning restore IDE1006
    public const int Vocab = 12;

    public ToyLm(int hidden = 16) : base(nameof(ToyLm))
    {
        wte = nn.Embedding(Vocab, hidden);
        fc = nn.Linear(hidden, hidden);
        lm_head = nn.Linear(hidden, Vocab);
        RegisterComponents();
    }

    public override Tensor forward(Tensor ids) => lm_head.call(nn.functional.tanh(fc.call(wte.call(ids))));
}

/// <summary>Sequences that count upward modulo the vocabulary: easy to learn, so the loss must fall.</summary>
internal sealed class CountingTask(ToyLm model, int examples = 24, int length = 6, bool poison = false) : ITrainingTask
{
    public IReadOnlyList<EncodedExample> TrainExamples { get; } = Enumerable.Range(0, examples)
        .Select(i => Enumerable.Range(i, length).Select(t => t % ToyLm.Vocab).ToArray())
        .Select(ids => new EncodedExample(ids, ids)).ToList();

    public int PadTokenId => 0;

    public Tensor Loss(Batch batch)
    {
        var loss = Losses.CausalLm(model.call(batch.InputIds), batch.Labels!);
        return poison ? loss * double.NaN : loss;
    }
}

internal sealed class LossEvaluator(CountingTask task) : IEvaluator
{
    public string PrimaryMetric => "loss";
    public bool HigherIsBetter => false;
    public int ExampleCount => task.TrainExamples.Count;
    public IReadOnlyDictionary<string, double> Evaluate()
    {
        using var scope = NewDisposeScope();
        var batch = Collator.Collate(task.TrainExamples, 0, CPU);
        return new Dictionary<string, double> { ["loss"] = task.Loss(batch).item<float>() };
    }
}

/// <summary>Cancels training after a given step (a stand-in for Ctrl-C).</summary>
internal sealed class CancelAfter(long step, CancellationTokenSource source) : ITrainingObserver
{
    public void OnStep(StepReport report) { if (report.Step >= step) source.Cancel(); }
}
