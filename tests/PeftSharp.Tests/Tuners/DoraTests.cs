using PeftSharp.Tuners;
using PeftSharp.Tuners.Lora;
using TorchSharp;
using static PeftSharp.Tests.Tuners.TestTensors;

namespace PeftSharp.Tests.Tuners;

public class DoraTests
{
    private static (TinyMlp model, PeftModel peft) Make(int seed = 11)
    {
        torch.manual_seed(seed);
        var model = new TinyMlp();
        var peft = PeftModel.Create(model, new LoraConfig { R = 2, LoraAlpha = 3, UseDora = true, TargetModules = TargetModules.FromNames("fc_in", "c_proj") });
        return (model, peft);
    }

    private static void Randomise(PeftModel peft)
    {
        using var noGrad = torch.no_grad();
        foreach (var t in peft.TrainableParameters())
            if (t.Role == ParameterRole.Scale) t.Parameter.mul_(torch.rand_like(t.Parameter) + 0.5);
            else t.Parameter.normal_(0, 0.3);
    }

    [Fact]
    public void Magnitude_starts_at_the_row_norms_and_the_model_is_unchanged()
    {
        torch.manual_seed(2);
        var model = new TinyMlp();
        var x = Random(6, 6);
        var before = model.call(x).detach().clone();
        var peft = PeftModel.Create(model, new LoraConfig { R = 2, UseDora = true, TargetModules = TargetModules.FromNames("c_proj") });
        var layer = peft.Layers["c_proj"];
        var dora = (DoraLayer)layer["default"];
        AssertClose(layer.Base.WeightDk.norm(1, false, 2), dora.Magnitude, 1e-12, "m = ‖W0‖_row (rows of the (d, k) layout)");
        AssertClose(before, model.call(x), 1e-12);
        Assert.True(layer.DeltaWeight("default").abs().max().item<double>() < 1e-12);
    }

    [Fact]
    public void Forward_equals_closed_form_weight()
    {
        var (_, peft) = Make();
        Randomise(peft);
        var layer = peft.Layers["fc_in"];
        var dora = (DoraLayer)layer["default"];
        var lora = dora.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var combined = layer.Base.WeightDk + 1.5 * lora["lora_B.weight"].matmul(lora["lora_A.weight"]);
        var expectedW = dora.Magnitude.unsqueeze(1) * combined / combined.norm(1, true, 2);
        var x = Random(4, 6);
        AssertClose(x.matmul(expectedW.t()) + layer.Base.Bias!, layer.call(x), 1e-12);
        AssertClose(expectedW - layer.Base.WeightDk, layer.DeltaWeight("default"), 1e-12);
    }

    [Fact]
    public void Gradients_treat_the_norm_as_a_constant()
    {
        var (model, peft) = Make();
        Randomise(peft);
        var x = Random(3, 6);
        var target = Random(3, 3);
        var layerNorms = peft.Layers.ToDictionary(l => l.Key, l =>
        {
            var dora = l.Value["default"];
            var p = dora.named_parameters().ToDictionary(q => q.name, q => q.parameter);
            return (l.Value.Base.WeightDk + 1.5 * p["lora_B.weight"].matmul(p["lora_A.weight"])).norm(1, true, 2).detach().clone();
        });
        // Reference: the same model with each layer's norm frozen at its current value, evaluated in closed form.
        double FrozenNormLoss()
        {
            using var noGrad = torch.no_grad();
            var h = x;
            foreach (var path in new[] { "fc_in", "c_proj" })
            {
                var layer = peft.Layers[path];
                var p = layer["default"].named_parameters().ToDictionary(q => q.name, q => q.parameter);
                var w = p["lora_magnitude_vector"].unsqueeze(1) * (layer.Base.WeightDk + 1.5 * p["lora_B.weight"].matmul(p["lora_A.weight"])) / layerNorms[path];
                h = torch.nn.functional.tanh(h.matmul(w.t()) + layer.Base.Bias!);
            }
            return (((TorchSharp.Modules.Linear)model.head).call(h) - target).pow(2).sum().item<double>();
        }
        (model.call(x) - target).pow(2).sum().backward();
        foreach (var t in peft.TrainableParameters())
            AssertClose(FiniteDifferenceGradient(t.Parameter, FrozenNormLoss), t.Parameter.grad!, 1e-6, t.Name);
    }

}
