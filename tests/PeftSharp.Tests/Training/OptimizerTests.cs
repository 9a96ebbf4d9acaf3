using PeftSharp.Training;
using PeftSharp.Tuners;
using PeftSharp.Tuners.AdaLora;
using PeftSharp.Tuners.Lora;
using PeftSharp.Tuners.Lora2;
using PeftSharp.Tests.Tuners;
using TorchSharp;
using static PeftSharp.Tests.Tuners.TestTensors;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace PeftSharp.Tests.Training;

public class OptimizerTests
{
    [Fact]
    public void AdamW_matches_TorchSharps_reference_implementation()
    {
        torch.manual_seed(1);
        var ours = new Parameter(Random(4, 3));
        var reference = new Parameter(ours.detach().clone());
        var target = Random(4, 3);
        var group = new ParameterGroup("g", [new TrainableParameter("w", ours, ParameterRole.Weight)], 0.01, 0.1);
        using var adamw = new PeftSharp.Training.AdamW([group]);
        var torchAdamW = torch.optim.AdamW([reference], lr: 0.01, weight_decay: 0.1);
        for (int t = 0; t < 5; t++)
        {
            foreach (var p in new[] { ours, reference }) { p.grad = null; (p - target).pow(3).sum().backward(); }
            adamw.Step();
            torchAdamW.step();
        }
        AssertClose(reference, ours, 1e-12);
    }

    [Fact]
    public void Sgd_is_a_plain_gradient_step()
    {
        var p = new Parameter(torch.tensor(new[] { 1.0, -2.0 }, dtype: ScalarType.Float64));
        p.grad = torch.tensor(new[] { 0.5, 0.25 }, dtype: ScalarType.Float64);
        using var sgd = new Sgd([new ParameterGroup("g", [new TrainableParameter("p", p, ParameterRole.Weight)], 0.1, 0)]);
        sgd.Step();
        AssertClose(torch.tensor(new[] { 0.95, -2.025 }, dtype: ScalarType.Float64), p, 1e-15);
    }

    [Fact]
    public void AdamW_state_round_trips_exactly()
    {
        var p = new Parameter(Random(3));
        var group = new ParameterGroup("g", [new TrainableParameter("p", p, ParameterRole.Weight)], 0.1, 0);
        using var first = new PeftSharp.Training.AdamW([group]);
        p.grad = Random(3); first.Step();
        var copy = new Parameter(p.detach().clone());
        using var second = new PeftSharp.Training.AdamW([new ParameterGroup("g", [new TrainableParameter("p", copy, ParameterRole.Weight)], 0.1, 0)]);
        second.LoadStateTensors(first.StateTensors(), first.StepCount);
        var grad = Random(3);
        p.grad = grad.clone(); copy.grad = grad.clone();
        first.Step(); second.Step();
        AssertClose(p, copy, 0);
    }

    [Fact]
    public void LoRA_plus_groups_as_PEFTs_create_loraplus_optimizer()
    {
        // PEFT: lora_B and every 1-D trainable parameter at ratio × lr; the rest at lr. Weight decay stays by role
        // (PeftSharp decays no bias, norm or DoRA magnitude; docs/methods.md#lora-plus names PEFT's difference).
        torch.manual_seed(2);
        var peft = PeftModel.Create(new TinyMlp(), new LoraConfig { R = 2, UseDora = true, LoraPlusLrRatio = 16, TargetModules = TargetModules.FromNames("fc_in", "c_proj"), Bias = BiasMode.LoraOnly });
        var groups = peft.ParameterGroups(learningRate: 2e-4, weightDecay: 0.01);
        var byName = groups.SelectMany(g => g.Parameters.Select(p => (p.Name, g.LearningRate, g.WeightDecay))).ToDictionary(x => x.Name);
        Assert.Equal((16 * 2e-4, 0.01), (byName["fc_in.lora_B.weight"].LearningRate, byName["fc_in.lora_B.weight"].WeightDecay));
        Assert.Equal((2e-4, 0.01), (byName["c_proj.lora_A.weight"].LearningRate, byName["c_proj.lora_A.weight"].WeightDecay));
        Assert.Equal((16 * 2e-4, 0.0), (byName["fc_in.lora_magnitude_vector"].LearningRate, byName["fc_in.lora_magnitude_vector"].WeightDecay));
        Assert.Equal((16 * 2e-4, 0.0), (byName["fc_in.base_layer.bias"].LearningRate, byName["fc_in.base_layer.bias"].WeightDecay));
        Assert.Equal(peft.TrainableParameters().Count, byName.Count);
        // Every 1-D parameter and every B is raised; every other parameter is not.
        foreach (var t in peft.TrainableParameters())
            Assert.Equal(t.Parameter.dim() == 1 || t.Name.Contains("lora_B", StringComparison.Ordinal) ? 16 * 2e-4 : 2e-4, byName[t.Name].LearningRate);
    }

    [Fact]
    public void Without_LoRA_plus_every_parameter_trains_at_the_learning_rate()
    {
        var peft = PeftModel.Create(new TinyMlp(), new LoraConfig { R = 2, UseDora = true, TargetModules = TargetModules.FromNames("fc_in", "c_proj"), Bias = BiasMode.LoraOnly });
        Assert.All(peft.ParameterGroups(learningRate: 2e-4, weightDecay: 0.01), g => Assert.Equal(2e-4, g.LearningRate));
    }

    /// <summary>One AdamW step with weight decay and zero gradients: only decayed parameters move (p ← p − lr·wd·p).</summary>
    private static HashSet<string> Moved(IReadOnlyList<TrainableParameter> trainables, IReadOnlyList<ParameterGroup> groups)
    {
        using (torch.no_grad()) foreach (var t in trainables) t.Parameter.normal_(); // λ and norms ≠ 0, so decay would show
        foreach (var t in trainables) t.Parameter.grad = torch.zeros_like(t.Parameter);
        var before = trainables.ToDictionary(t => t.Name, t => t.Parameter.detach().clone());
        using var adamw = new PeftSharp.Training.AdamW(groups);
        adamw.Step();
        return trainables.Where(t => !t.Parameter.eq(before[t.Name]).all().item<bool>()).Select(t => t.Name).ToHashSet();
    }

    [Theory]
    [InlineData("adalora", "lora_E")]
    [InlineData("lora2", "lora_lambda")]
    public void AdamW_never_decays_the_singular_values_of_AdaLoRA_and_LoRA2(string method, string lambda)
    {
        torch.manual_seed(3);
        var targets = TargetModules.FromNames("fc_in", "c_proj");
        AdapterConfig config = method == "adalora"
            ? new AdaLoraConfig { InitR = 4, TargetR = 2, TotalStep = 10, TargetModules = targets }
            : new Lora2Config { K = 3, InitR = 4, TargetR = 2, TotalStep = 10, TargetModules = targets };
        var trainables = PeftModel.Create(new TinyMlp(), config).TrainableParameters();
        var groups = ParameterGroups.Build(trainables, learningRate: 1e-2, weightDecay: 0.1);

        var noDecay = Assert.Single(groups, g => g.Name == "no_decay");
        Assert.Equal(0, noDecay.WeightDecay);
        Assert.Equal([$"c_proj.{lambda}", $"fc_in.{lambda}"], noDecay.Parameters.Select(p => p.Name).Order(StringComparer.Ordinal));
        var moved = Moved(trainables, groups);
        Assert.DoesNotContain(moved, name => name.EndsWith(lambda));
        Assert.Equal(trainables.Count - 2, moved.Count); // every factor decays
    }

    private sealed class NormedMlp : nn.Module<Tensor, Tensor>
    {
#pragma warning disable IDE1006
        public nn.Module<Tensor, Tensor> fc = nn.Linear(4, 4, dtype: ScalarType.Float64);
        public nn.Module<Tensor, Tensor> ln = nn.LayerNorm(4, dtype: ScalarType.Float64);
#pragma warning restore IDE1006
        public NormedMlp() : base(nameof(NormedMlp)) => RegisterComponents();
        public override Tensor forward(Tensor x) => ln.call(fc.call(x));
    }

    [Fact]
    public void AdamW_never_decays_biases_and_LayerNorm_weights_in_full_fine_tuning()
    {
        torch.manual_seed(4);
        var trainables = new FullTrainable(new NormedMlp(), _ => { }).TrainableParameters();
        var groups = ParameterGroups.Build(trainables, learningRate: 1e-2, weightDecay: 0.1);
        Assert.Equal(["fc.bias", "ln.bias", "ln.weight"], Assert.Single(groups, g => g.Name == "no_decay").Parameters.Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["fc.weight"], Moved(trainables, groups));
    }

    [Theory]
    [InlineData(ScheduleKind.Constant, 0, 0.0)]
    [InlineData(ScheduleKind.Constant, 5, 0.5)]
    [InlineData(ScheduleKind.Constant, 50, 1.0)]
    [InlineData(ScheduleKind.Linear, 10, 1.0)]
    [InlineData(ScheduleKind.Linear, 55, 0.5)]
    [InlineData(ScheduleKind.Linear, 100, 0.0)]
    [InlineData(ScheduleKind.Cosine, 55, 0.5)]
    [InlineData(ScheduleKind.Cosine, 10, 1.0)]
    [InlineData(ScheduleKind.Cosine, 100, 0.0)]
    public void Schedules_follow_HuggingFace(ScheduleKind kind, long step, double expected)
    {
        // warm-up 10, total 100: decay over the remaining 90 steps.
        Assert.Equal(expected, new LearningRateSchedule(kind, 10, 100).Multiplier(step), 12);
    }

    [Fact]
    public void Gradient_clipping_scales_to_the_max_norm()
    {
        var a = new Parameter(torch.zeros(2, dtype: ScalarType.Float64)); a.grad = torch.tensor(new[] { 3.0, 0.0 }, dtype: ScalarType.Float64);
        var b = new Parameter(torch.zeros(1, dtype: ScalarType.Float64)); b.grad = torch.tensor(new[] { 4.0 }, dtype: ScalarType.Float64);
        Assert.Equal(5.0, GradientClipping.ClipByGlobalNorm([a, b], 1.0), 12);
        Assert.Equal(1.0, torch.cat([a.grad!, b.grad!]).norm().item<double>(), 5);
        Assert.Equal(1.0, GradientClipping.ClipByGlobalNorm([a, b], 0), 5); // 0 = off: norm reported, nothing scaled
    }
}
