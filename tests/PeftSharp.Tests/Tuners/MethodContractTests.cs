using PeftSharp.Data;
using PeftSharp.Tests.Training;
using PeftSharp.Training;
using PeftSharp.Tuners;
using TorchSharp;
using static PeftSharp.Tests.Tuners.TestTensors;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Tuners;

/// <summary>
/// What every registered adapter method promises, checked on each one at a small budget, on a Linear (fc_in) and a
/// GPT-2 Conv1D (c_proj) layer: the model is unchanged at initialisation, forward = base + x·ΔWᵀ, merging changes
/// nothing, unmerging restores W0, disabling gives the base model, save → load round-trips, and a hand-written
/// training loop trains it — exactly as the trainer does, and still learning when it never signals a step.
/// </summary>
public class MethodContractTests
{
    public static TheoryData<string> Methods => new(PeftMethods.All.Where(m => m.ConfigType is not null).Select(m => m.Name));

    private static readonly TargetModules Targets = TargetModules.FromNames("fc_in", "c_proj");

    private static AdapterConfig Config(string method) => PeftMethods.Get(method).ForBudget(2)! with { TargetModules = Targets };

    private static (TinyMlp Model, PeftModel Peft) Make(string method, int seed = 3)
    {
        torch.manual_seed(seed);
        var model = new TinyMlp(inFeatures: 12, hidden: 10, outFeatures: 8);
        return (model, PeftModel.Create(model, Config(method)));
    }

    /// <summary>Moves every trainable parameter away from its initial value, as training would.</summary>
    private static void Perturb(PeftModel peft)
    {
        using var noGrad = torch.no_grad();
        foreach (var t in peft.TrainableParameters()) t.Parameter.add_(torch.randn_like(t.Parameter) * 0.3);
    }

    private static Tensor BaseOutput(TinyMlp model, PeftModel peft, Tensor x)
    {
        using var disabled = peft.DisableAdapter();
        return model.call(x).detach().clone();
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void The_model_is_unchanged_at_initialisation(string method)
    {
        torch.manual_seed(3);
        var model = new TinyMlp(inFeatures: 12, hidden: 10, outFeatures: 8);
        var x = Random(5, 12);
        var before = model.call(x).detach().clone();
        var peft = PeftModel.Create(model, Config(method));
        foreach (var (path, delta) in peft.DeltaWeights()) Assert.True(delta.abs().max().item<double>() < 1e-12, $"ΔW of {path} is not zero");
        AssertClose(before, model.call(x), 1e-12);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Forward_equals_the_base_layer_plus_x_times_delta(string method)
    {
        var (_, peft) = Make(method);
        Perturb(peft);
        var x = Random(4, 12);
        foreach (var (path, layer) in peft.Layers)
        {
            var input = path == "fc_in" ? x : Random(4, 10);
            var delta = layer[PeftModel.DefaultAdapterName].DeltaWeight(layer.Base); // (d, k)
            Assert.True(delta.abs().max().item<double>() > 1e-6, $"ΔW of {path} is zero after perturbation");
            AssertClose(layer.Base.Forward(input) + input.matmul(delta.t()), layer.call(input), 1e-10, path);
        }
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Merging_changes_no_output_and_unmerging_restores_the_base_weights(string method)
    {
        var (model, peft) = Make(method);
        Perturb(peft);
        var originals = model.named_parameters().Where(p => p.name.Contains("base_layer")).ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var x = Random(5, 12);
        var unmerged = model.call(x).detach().clone();
        peft.Merge();
        AssertClose(unmerged, model.call(x), 1e-10, "merged forward");
        Assert.True((originals["c_proj.base_layer.weight"] - model.named_parameters().Single(p => p.name == "c_proj.base_layer.weight").parameter).abs().max().item<double>() > 1e-6,
            "merging wrote ΔW into the Conv1D weight");
        peft.Unmerge();
        foreach (var (name, p) in model.named_parameters().Where(p => p.name.Contains("base_layer")))
            AssertClose(originals[name], p, 1e-10, name);
        AssertClose(unmerged, model.call(x), 1e-10, "after unmerge");
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Disabling_gives_the_base_model(string method)
    {
        torch.manual_seed(3);
        var model = new TinyMlp(inFeatures: 12, hidden: 10, outFeatures: 8);
        var x = Random(5, 12);
        var original = model.call(x).detach().clone();
        var peft = PeftModel.Create(model, Config(method));
        Perturb(peft);
        Assert.True((model.call(x) - original).abs().max().item<double>() > 1e-6, "the adapter changes the output");
        using (peft.DisableAdapter()) AssertClose(original, model.call(x), 1e-12, "disabled");
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Save_and_load_give_the_same_outputs_and_config(string method)
    {
        var (model, peft) = Make(method);
        Perturb(peft);
        peft.OnTrainingFinished(); // what a trained adapter computes, and what loading gives
        var x = Random(5, 12);
        var trained = model.call(x).detach().clone();
        var folder = Directory.CreateTempSubdirectory("peft-contract-").FullName;
        peft.Save(folder);

        torch.manual_seed(3);
        var fresh = new TinyMlp(inFeatures: 12, hidden: 10, outFeatures: 8); // the same base weights
        var loaded = PeftModel.Load(fresh, folder);
        AssertClose(trained, fresh.call(x), 1e-12, "loaded adapter");
        // LoRA+ is a training setting: its adapter is a plain LoRA adapter.
        Assert.Equal(method == "lora-plus" ? "lora" : method, PeftMethods.Of(loaded.ActiveConfig).Name);
    }

    /// <summary>The README's "your own loop": forward, loss + RegularizationLoss(), backward, optimizer step, AfterOptimizerStep().</summary>
    private static IReadOnlyList<double> OwnLoop(PeftModel peft, CountingTask task, Optimizer optimizer, int steps, bool signalSteps = true)
    {
        var losses = new List<double>();
        var batch = Collator.Collate(task.TrainExamples, task.PadTokenId, CPU);
        for (int step = 0; step < steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            var loss = task.Loss(batch);
            losses.Add(loss.item<float>());
            (loss + peft.RegularizationLoss()).backward();
            optimizer.Step();
            if (signalSteps) peft.AfterOptimizerStep();
            optimizer.ZeroGrad();
        }
        return losses;
    }

    private static (ToyLm Model, PeftModel Peft, CountingTask Task) Toy(string method)
    {
        torch.manual_seed(100);
        var model = new ToyLm();
        var config = PeftMethods.Get(method).ForBudget(2)! with { TargetModules = TargetModules.FromNames("fc", "lm_head") };
        return (model, PeftModel.Create(model, config), new CountingTask(model, examples: 8));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void A_hand_written_loop_trains_exactly_as_the_trainer(string method)
    {
        const int steps = 12;
        var trainerDir = Directory.CreateTempSubdirectory("peft-contract-trainer-").FullName;
        var options = new TrainerOptions
        {
            OutputDirectory = trainerDir, LearningRate = 1e-2, Schedule = ScheduleKind.Constant, MaxSteps = steps, BatchSize = 8,
            Shuffle = false, MaxGradNorm = 0, LoggingSteps = 1000,
        };
        var (_, trainerPeft, trainerTask) = Toy(method);
        new Trainer(new PeftTrainable(trainerPeft), trainerTask, null, options).Train();

        var (_, peft, task) = Toy(method);
        peft.PrepareTraining(totalSteps: steps, learningRateWarmupSteps: 0);
        using var optimizer = new AdamW(peft.ParameterGroups(learningRate: 1e-2, weightDecay: 0));
        OwnLoop(peft, task, optimizer, steps);
        peft.OnTrainingFinished();
        var ownDir = Directory.CreateTempSubdirectory("peft-contract-own-").FullName;
        peft.Save(ownDir);

        Assert.Equal(File.ReadAllText(Path.Combine(trainerDir, AdapterConfigFile.FileName)), File.ReadAllText(Path.Combine(ownDir, AdapterConfigFile.FileName)));
        using var expected = PeftSharp.IO.SafetensorsFile.Open(Path.Combine(trainerDir, AdapterFormat.WeightsFileName));
        using var actual = PeftSharp.IO.SafetensorsFile.Open(Path.Combine(ownDir, AdapterFormat.WeightsFileName));
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var key in expected.Keys) AssertClose(expected.ReadTensor(key), actual.ReadTensor(key), 0, key);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void A_loop_that_never_signals_a_step_still_learns(string method)
    {
        var (_, peft, task) = Toy(method);
        using var optimizer = new AdamW(peft.ParameterGroups(learningRate: 3e-2, weightDecay: 0));
        var losses = OwnLoop(peft, task, optimizer, steps: 30, signalSteps: false);
        Assert.True(losses[^1] < 0.8 * losses[0], $"loss {losses[0]:F4} → {losses[^1]:F4}");
    }
}
