using PeftSharp.Data;
using PeftSharp.Models;
using PeftSharp.Tests.Models;
using PeftSharp.Training;
using PeftSharp.Tuners;
using PeftSharp.Tuners.DualLora;
using TorchSharp;
using static PeftSharp.Tests.Tuners.TestTensors;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Tuners;

/// <summary>
/// What every registered method promises over a bfloat16 model (mixed precision): frozen weights stay bfloat16 and
/// untouched; adapter weights, their gradients and the optimizer state are float32; the layer output is PEFT's —
/// the base output plus x·ΔWᵀ computed in float32 and rounded once to bfloat16; a merge adds ΔW in float32 and rounds
/// once; and a hand-written loop trains.
/// </summary>
public class MixedPrecisionTests
{
    private const ScalarType Bf16 = ScalarType.BFloat16, F32 = ScalarType.Float32;

    public static TheoryData<string> Methods => MethodContractTests.Methods;

    private static readonly TargetModules Targets = TargetModules.FromNames("fc_in", "c_proj");

    private static (TinyMlp Model, PeftModel Peft) Make(string method, bool adapterInBaseDtype = false)
    {
        manual_seed(3);
        var model = new TinyMlp(Bf16, inFeatures: 24, hidden: 20, outFeatures: 16);
        var config = PeftMethods.Get(method).ForBudget(2)! with { TargetModules = Targets };
        var peft = PeftModel.Create(model, config, adapterInBaseDtype: adapterInBaseDtype);
        using (no_grad())
            foreach (var t in peft.TrainableParameters()) t.Parameter.add_(randn_like(t.Parameter) * 0.3); // as training would
        peft.OnTrainingFinished(); // Dual LoRA: γ = 1, the update of a trained adapter
        return (model, peft);
    }

    /// <summary>One unit in the last place of bfloat16 at each entry's magnitude (8 significant bits).</summary>
    private static Tensor Ulp(Tensor reference) => pow(2.0, reference.abs().clamp_min(1e-30).log2().floor() - 7);

    [Theory]
    [MemberData(nameof(Methods))]
    public void Adapters_are_float32_and_frozen_weights_stay_bfloat16(string method)
    {
        var (model, peft) = Make(method);
        var frozen = model.named_parameters().Where(p => !p.parameter.requires_grad).ToDictionary(p => p.name, p => p.parameter.detach().clone());
        Assert.NotEmpty(frozen);
        Assert.All(frozen.Values, w => Assert.Equal(Bf16, w.dtype));
        Assert.All(peft.TrainableParameters(), t => Assert.Equal(F32, t.Parameter.dtype));

        using var optimizer = new PeftSharp.Training.AdamW(peft.ParameterGroups(learningRate: 1e-2, weightDecay: 0.1));
        var output = model.call(Random(5, 24).to(Bf16));
        Assert.Equal(Bf16, output.dtype);
        output.to(F32).pow(2).mean().backward();
        Assert.All(peft.TrainableParameters(), t => Assert.Equal(F32, t.Parameter.grad!.dtype));
        optimizer.Step();

        var state = optimizer.StateTensors();
        Assert.NotEmpty(state);
        Assert.All(state, s => Assert.Equal(F32, s.Value.dtype));
        Assert.DoesNotContain(state.Keys, k => k.EndsWith(".master_weight", StringComparison.Ordinal)); // float32 adapters need no master copy
        foreach (var (name, p) in model.named_parameters().Where(p => frozen.ContainsKey(p.name)))
        {
            Assert.Null(p.grad);
            AssertClose(frozen[name], p, 0, name);
        }
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void The_output_is_the_bfloat16_base_output_plus_x_times_delta_rounded_once(string method)
    {
        var (_, peft) = Make(method);
        foreach (var (path, layer) in peft.Layers)
        {
            var x = Random(6, layer.InFeatures).to(Bf16);
            using var noGrad = no_grad();
            var delta = layer.DeltaWeight(PeftModel.DefaultAdapterName).to(ScalarType.Float64); // storage layout
            var deltaDk = layer.Base.FanInFanOut ? delta.t() : delta;
            var exact = layer.Base.Forward(x).to(ScalarType.Float64) + x.to(ScalarType.Float64).matmul(deltaDk.t());
            var actual = layer.call(x);
            Assert.Equal(Bf16, actual.dtype);
            // One rounding of the float32 sum is half an ulp (one allowed for float32's own error). Dual LoRA's one-matmul
            // path multiplies by W0 + ΔW rounded to bfloat16 (relative error ≤ 2⁻⁸ per entry), which adds up to 2⁻⁸·|x|·|W|ᵀ.
            var bound = Ulp(exact);
            if (method == "dual-lora")
                bound += x.to(ScalarType.Float64).abs().matmul((layer.Base.WeightDk.to(ScalarType.Float64) + deltaDk).abs().t()) * Math.Pow(2, -8);
            var excess = ((actual.to(ScalarType.Float64) - exact).abs() / bound).max().item<double>();
            Assert.True(excess <= 1, $"{path}: error {excess:F2} × the bound of one rounding");
        }
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Merging_into_a_bfloat16_weight_rounds_W0_plus_delta_once(string method)
    {
        var (model, peft) = Make(method);
        var exact = peft.Layers.ToDictionary(l => l.Key, l =>
        {
            using var noGrad = no_grad();
            return (l.Value.Base.Weight.to(ScalarType.Float64) + l.Value.DeltaWeight(PeftModel.DefaultAdapterName).to(ScalarType.Float64)).detach();
        });
        peft.Merge();
        foreach (var (path, layer) in peft.Layers)
        {
            var merged = layer.Base.Weight;
            Assert.Equal(Bf16, merged.dtype);
            var ulps = ((merged.to(ScalarType.Float64) - exact[path]).abs() / Ulp(exact[path])).max().item<double>();
            Assert.True(ulps <= 0.5 + 1e-3, $"{path}: merged weight is {ulps:F3} ulp from W0 + ΔW (one rounding is ≤ 0.5)");
        }
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void A_hand_written_loop_trains_a_bfloat16_model(string method)
    {
        var (model, peft) = Make(method);
        manual_seed(4);
        var x = Random(32, 24).to(Bf16);
        var target = Random(32, 3).to(F32);
        peft.PrepareTraining(totalSteps: 30, learningRateWarmupSteps: 0);
        using var optimizer = new PeftSharp.Training.AdamW(peft.ParameterGroups(learningRate: 2e-2, weightDecay: 0));
        var losses = new List<double>();
        for (int step = 0; step < 30; step++)
        {
            using var scope = NewDisposeScope();
            var loss = (model.call(x).to(F32) - target).pow(2).mean() + peft.RegularizationLoss();
            losses.Add(loss.item<float>());
            loss.backward();
            optimizer.Step();
            peft.AfterOptimizerStep();
            optimizer.ZeroGrad();
        }
        Assert.True(losses[^1] < 0.8 * losses[0], $"loss {losses[0]:F4} → {losses[^1]:F4}");
    }

    [Fact]
    public void In_the_base_dtype_adapters_are_bfloat16_with_float32_master_copies()
    {
        var (model, peft) = Make("lora", adapterInBaseDtype: true);
        Assert.All(peft.TrainableParameters(), t => Assert.Equal(Bf16, t.Parameter.dtype));
        using var optimizer = new PeftSharp.Training.AdamW(peft.ParameterGroups(learningRate: 1e-2, weightDecay: 0));
        model.call(Random(5, 24).to(Bf16)).to(F32).pow(2).mean().backward();
        optimizer.Step();
        var state = optimizer.StateTensors();
        foreach (var t in peft.TrainableParameters())
        {
            var master = state[t.Name + ".master_weight"];
            Assert.Equal(F32, master.dtype);
            AssertClose(master.to(Bf16), t.Parameter, 0, t.Name); // the parameter is its master rounded
        }
    }

    [Fact]
    public void Dual_LoRA_efficient_forward_over_bfloat16_is_the_merged_models_forward_bit_for_bit()
    {
        var (model, peft) = Make("dual-lora");
        Assert.True(((DualLoraLayer)peft.Layers["fc_in"][PeftModel.DefaultAdapterName]).Config.MemoryEfficient);
        var x = Random(7, 24).to(Bf16);
        model.eval();
        Tensor adapted;
        using (no_grad()) adapted = model.call(x).clone();
        peft.Merge();
        using (no_grad()) AssertClose(model.call(x), adapted, 0, "merged vs efficient");
    }

    [Fact]
    public void Full_fine_tuning_of_a_bfloat16_model_keeps_float32_master_weights()
    {
        // An update of 1e-3 on a weight of 1 is below half a bfloat16 ulp (2⁻⁸): applied to the bfloat16 weight it rounds
        // away every step; applied to the float32 master it accumulates and reaches the weight.
        var weight = new TorchSharp.Modules.Parameter(ones(4, dtype: Bf16));
        using var sgd = new Sgd([new ParameterGroup("g", [new TrainableParameter("w", weight, ParameterRole.Weight)], 1e-3, 0)]);
        for (int step = 0; step < 20; step++)
        {
            weight.grad = ones(4, dtype: Bf16);
            sgd.Step();
        }
        var master = sgd.StateTensors()["w.master_weight"];
        Assert.Equal(F32, master.dtype);
        Assert.Equal(1 - 20e-3, master[0].item<float>(), 1e-6);
        Assert.Equal(Bf16, weight.dtype);
        Assert.Equal(0.98046875f, weight[0].to(F32).item<float>()); // 0.98 rounded to bfloat16
    }

    [Fact]
    public void LayerNorm_of_a_bfloat16_model_computes_in_float32_and_rounds_once()
    {
        manual_seed(6);
        var x = randn(4, 7, 64).to(Bf16);
        var (weight, bias) = ((randn(64) * 0.3 + 1).to(Bf16), (randn(64) * 0.1).to(Bf16));
        var half = nn.functional.layer_norm(x, [64], weight, bias, 1e-5);
        var wide = nn.functional.layer_norm(x.to(F32), [64], weight.to(F32), bias.to(F32), 1e-5);
        AssertClose(wide.to(Bf16), half, 0, "LayerNorm");
    }

    [Fact]
    public void A_bfloat16_GPT2_computes_its_loss_in_float32_from_bfloat16_logits()
    {
        using var model = PretrainedModelLoader.LoadCausalLM(ModelFixtures.Folder("gpt2_original"), dtype: Bf16);
        using var peft = PeftModel.Create(model.Module, PeftMethods.Get("lora").ForBudget(2)!);
        var ids = randint(0, 60, [2, 6]);
        var logits = model.Forward(ids);
        Assert.Equal(Bf16, logits.dtype);
        var loss = Losses.CausalLm(logits, ids);
        Assert.Equal(F32, loss.dtype);
        loss.backward();
        Assert.All(peft.TrainableParameters(), t => Assert.Equal(F32, t.Parameter.grad!.dtype));
    }
}
