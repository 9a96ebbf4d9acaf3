using PeftSharp.Data;
using PeftSharp.Models;
using PeftSharp.Tests.Models;
using PeftSharp.Training;
using PeftSharp.Training.Tasks;
using PeftSharp.Tuners;
using TorchSharp;
using static PeftSharp.Tests.Tuners.TestTensors;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Training;

/// <summary>
/// Exact resume in both new modes: a run in bfloat16 mixed precision (adapters, or full fine-tuning through float32
/// master weights) or with activation checkpointing, interrupted and resumed, ends with exactly the weights of the
/// uninterrupted run; checkpointing may even be switched on at the resume. A checkpoint resumes only at its precision.
/// </summary>
public class PrecisionResumeTests
{
    private static string TempDir() => Directory.CreateTempSubdirectory("peft-precision-").FullName;

    private sealed record Run(string Method, ScalarType Dtype, bool Checkpointing);

    /// <summary>A tiny GPT-2 (dropout 0.1 in its blocks) on random token sequences, every linear layer adapted.</summary>
    private static (ITrainable Trainable, ITrainingTask Task) Setup(Run run)
    {
        var model = (ICausalLanguageModel)PretrainedModelLoader.Create(PretrainedModelLoader.LoadConfig(ModelFixtures.Folder("gpt2_original")), run.Dtype, seed: 3);
        model.GradientCheckpointing = run.Checkpointing;
        var random = new Random(9);
        var examples = Enumerable.Range(0, 24).Select(_ =>
        {
            var ids = Enumerable.Range(0, 10).Select(_ => random.Next(60)).ToArray();
            return new EncodedExample(ids, ids);
        }).ToList();
        manual_seed(4);
        ITrainable trainable = run.Method == "full"
            ? new FullTrainable(model.Module, _ => { })
            : new PeftTrainable(PeftModel.Create(model.Module, PeftMethods.Get(run.Method).ForBudget(2)! with { TargetModules = TargetModules.AllLinear }));
        return (trainable, new CausalLmTask(model, examples, padTokenId: 0));
    }

    private static TrainerOptions Options(string dir) => new()
    {
        OutputDirectory = dir, LearningRate = 5e-3, Epochs = 3, BatchSize = 4, GradientAccumulation = 2,
        WarmupSteps = 2, Schedule = ScheduleKind.Cosine, Seed = 5, LoggingSteps = 1, MaxGradNorm = 1.0,
    };

    private static Dictionary<string, Tensor> Weights(ITrainable trainable) =>
        trainable.TrainableParameters().ToDictionary(t => t.Name, t => t.Parameter.detach().clone());

    private static Dictionary<string, Tensor> Straight(Run run)
    {
        var dir = TempDir();
        var (trainable, task) = Setup(run);
        new Trainer(trainable, task, null, Options(dir)).Train();
        return Weights(trainable);
    }

    private static Dictionary<string, Tensor> InterruptedAndResumed(Run first, Run resumed)
    {
        var dir = TempDir();
        using (var cancel = new CancellationTokenSource())
        {
            var (trainable, task) = Setup(first);
            var result = new Trainer(trainable, task, null, Options(dir), new CancelAfter(4, cancel)).Train(cancel.Token);
            Assert.True(result.Interrupted);
        }
        var (again, againTask) = Setup(resumed);
        new Trainer(again, againTask, null, Options(dir) with { ResumeFrom = dir }).Train();
        return Weights(again);
    }

    public static TheoryData<string, bool, bool> Cases => new()
    {
        { "lora", true, false }, { "full", true, false }, { "dual-lora", true, true }, { "adalora", true, false },
        { "lora", false, true }, { "full", false, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Resuming_equals_the_uninterrupted_run_bit_for_bit(string method, bool bfloat16, bool checkpointing)
    {
        var run = new Run(method, bfloat16 ? ScalarType.BFloat16 : ScalarType.Float32, checkpointing);
        var expected = Straight(run);
        var actual = InterruptedAndResumed(run, run);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, value) in expected) AssertClose(value, actual[name], 0, name);
        if (bfloat16 && method == "full") Assert.All(expected.Values, w => Assert.Equal(ScalarType.BFloat16, w.dtype));
    }

    [Fact]
    public void Checkpointing_may_be_switched_on_when_resuming()
    {
        var plain = new Run("lora", ScalarType.BFloat16, Checkpointing: false);
        var expected = Straight(plain);
        var actual = InterruptedAndResumed(plain, plain with { Checkpointing = true });
        foreach (var (name, value) in expected) AssertClose(value, actual[name], 0, name);
    }

    [Fact]
    public void A_checkpoint_resumes_only_at_the_precision_it_was_written_in()
    {
        var dir = TempDir();
        using (var cancel = new CancellationTokenSource())
        {
            var (trainable, task) = Setup(new Run("lora", ScalarType.BFloat16, false));
            new Trainer(trainable, task, null, Options(dir), new CancelAfter(2, cancel)).Train(cancel.Token);
        }
        var (fp32, fp32Task) = Setup(new Run("lora", ScalarType.Float32, false));
        var error = Assert.Throws<InvalidOptionException>(() => new Trainer(fp32, fp32Task, null, Options(dir) with { ResumeFrom = dir }).Train());
        Assert.Equal("Dtype", error.Option);
        Assert.Contains("\"Float32, BFloat16\"", error.Message);
    }
}
