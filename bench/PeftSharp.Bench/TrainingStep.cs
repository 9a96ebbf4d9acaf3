using TorchSharp;
using PeftSharp.Training;
using static TorchSharp.torch;

namespace PeftSharp.Bench;

/// <summary>
/// One optimizer step of a method on a workload, as <see cref="Trainer"/> takes it — the method's hooks, loss plus its
/// regulariser, backward, PeftSharp's AdamW (lr 2e-4, no weight decay), the rank allocator — without data collation,
/// gradient clipping or logging. The model is in <see cref="Dtype"/> (bfloat16: mixed precision, float32 adapters and
/// optimizer state), its blocks checkpointed when asked.
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

    public TrainingStep(Workload workload, Method method, ScalarType dtype = ScalarType.Float32, bool checkpointing = false)
    {
        this.workload = workload;
        Dtype = dtype;
        model = workload.CreateModel();
        if (dtype != ScalarType.Float32) model.to(dtype); // before the method: its adapters are created float32 over it
        if (checkpointing) ((PeftSharp.Models.IBlockStack)model).GradientCheckpointing = true;
        trainable = method.Apply(model, ScheduledSteps);
        TrainableParameters = trainable.TrainableParameters().Sum(p => p.Parameter.numel());
        optimizer = new AdamW(trainable.ParameterGroups(LearningRate, weightDecay: 0));
        model.train();
    }

    public long TrainableParameters { get; }
    public ScalarType Dtype { get; }
    /// <summary>Bytes of the frozen parameters (the base weights an adapter leaves untouched; none for full fine-tuning).</summary>
    public long FrozenBytes => model.parameters().Where(p => !p.requires_grad).Sum(p => p.numel() * p.ElementSize);

    public void Run()
    {
        using (var scope = NewDisposeScope())
        {
            var loss = workload.Loss(model.call, Dtype);
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
