using PeftSharp.Training;
using static TorchSharp.torch;

namespace PeftSharp.Bench;

/// <summary>
/// One optimizer step of a method on a workload, as <see cref="Trainer"/> takes it — the method's hooks, loss plus its
/// regulariser, backward, PeftSharp's AdamW (lr 2e-4, no weight decay), the rank allocator — without data collation,
/// gradient clipping or logging.
/// </summary>
internal sealed class TrainingStep : IDisposable
{
    public const double LearningRate = 2e-4;
    /// <summary>Steps the AdaLoRA / LoRA² schedule is built for: measured steps stay in its first 10 % (tinit), where every step updates the importance scores.</summary>
    private const long ScheduledSteps = 1000;

    private readonly Workload workload;
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly ITrainable trainable;
    private readonly Optimizer optimizer;

    public TrainingStep(Workload workload, Method method)
    {
        this.workload = workload;
        model = workload.CreateModel();
        trainable = method.Apply(model, ScheduledSteps);
        TrainableParameters = trainable.TrainableParameters().Sum(p => p.Parameter.numel());
        optimizer = new AdamW(trainable.ParameterGroups(LearningRate, weightDecay: 0));
        model.train();
    }

    public long TrainableParameters { get; }

    public void Run()
    {
        using (var scope = NewDisposeScope())
        {
            var loss = workload.Loss(model.call);
            var regularization = trainable.RegularizationLoss();
            (regularization is null ? loss : loss + regularization).backward();
        }
        optimizer.Step();
        trainable.AfterOptimizerStep();
        optimizer.ZeroGrad();
    }

    public void Dispose()
    {
        optimizer.Dispose();
        (trainable as PeftTrainable)?.Model.Dispose();
        model.Dispose();
    }
}
