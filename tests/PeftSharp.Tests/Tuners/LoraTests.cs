using PeftSharp.Tuners;
using PeftSharp.Tuners.Lora;
using TorchSharp;
using static PeftSharp.Tests.Tuners.TestTensors;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Tuners;

public class LoraTests
{
    private static (TinyMlp model, PeftModel peft) Make(LoraConfig config, int seed = 1)
    {
        torch.manual_seed(seed);
        var model = new TinyMlp();
        return (model, PeftModel.Create(model, config));
    }

    private static void RandomiseAdapters(PeftModel peft)
    {
        using var noGrad = torch.no_grad();
        foreach (var t in peft.TrainableParameters()) t.Parameter.normal_(0, 0.3);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Forward_equals_base_plus_closed_form_delta(bool rslora)
    {
        var (model, peft) = Make(new LoraConfig { R = 3, LoraAlpha = 6, UseRslora = rslora, TargetModules = TargetModules.FromNames("fc_in") });
        RandomiseAdapters(peft);
        var layer = peft.Layers["fc_in"];
        var adapter = (LoraLayer)layer["default"];
        double s = rslora ? 6 / Math.Sqrt(3) : 6.0 / 3;
        var w0 = ((TorchSharp.Modules.Linear)layer.BaseModule).weight!;
        var b0 = ((TorchSharp.Modules.Linear)layer.BaseModule).bias!;
        var x = Random(4, 6);
        var expected = x.matmul((w0 + s * adapter.B.matmul(adapter.A)).t()) + b0;
        AssertClose(expected, layer.call(x), 1e-12);
        AssertClose(s * adapter.B.matmul(adapter.A), layer.DeltaWeight("default"), 1e-12);
    }

    [Fact]
    public void Gradients_of_A_and_B_match_finite_differences()
    {
        var (model, peft) = Make(new LoraConfig { R = 2, LoraAlpha = 3, TargetModules = TargetModules.FromNames("fc_in", "c_proj") });
        RandomiseAdapters(peft);
        var x = Random(3, 6);
        var target = Random(3, 3);
        double Loss() => (model.call(x) - target).pow(2).sum().item<double>();
        (model.call(x) - target).pow(2).sum().backward();
        foreach (var t in peft.TrainableParameters())
            AssertClose(FiniteDifferenceGradient(t.Parameter, Loss), t.Parameter.grad!, 1e-6, t.Name);
    }

    [Fact]
    public void Conv1D_adapter_equals_Linear_adapter_on_the_transposed_weight()
    {
        torch.manual_seed(5);
        var conv = new PeftSharp.Models.Conv1D(6, 4, dtype: ScalarType.Float64);
        var linear = nn.Linear(6, 4, dtype: ScalarType.Float64);
        using (torch.no_grad()) { linear.weight!.copy_(conv.weight.t()); linear.bias!.copy_(conv.bias); }
        var convLayer = new LayerWithAdapters(conv);
        var linearLayer = new LayerWithAdapters(linear);
        var config = new LoraConfig { R = 2, LoraAlpha = 2 };
        convLayer.AddAdapter("default", config.CreateLayer(convLayer.Base, "c"));
        linearLayer.AddAdapter("default", config.CreateLayer(linearLayer.Base, "l"));
        using (torch.no_grad())
        {
            var a = Random(2, 6); var b = Random(4, 2);
            foreach (var layer in new[] { convLayer, linearLayer })
            {
                var adapter = (LoraLayer)layer["default"];
                adapter.A.copy_(a); adapter.B.copy_(b);
            }
        }
        var x = Random(3, 6);
        AssertClose(linearLayer.call(x), convLayer.call(x), 1e-12);
        AssertClose(linearLayer.DeltaWeight("default").t(), convLayer.DeltaWeight("default"), 1e-12, "ΔW in each layer's layout");
        convLayer.Merge("default");
        linearLayer.Merge("default");
        AssertClose(linear.weight!.t(), conv.weight, 1e-12, "merged weights");
    }

    [Fact]
    public void Dropout_applies_only_to_the_adapter_branch_in_training()
    {
        var (model, peft) = Make(new LoraConfig { R = 2, LoraDropout = 0.5, TargetModules = TargetModules.FromNames("fc_in") });
        var layer = peft.Layers["fc_in"];
        var x = Random(64, 6);
        model.train();
        var baseOut = layer.Base.Forward(x);
        // B = 0 at init: whatever the dropout mask, the output is the base output.
        AssertClose(baseOut, layer.call(x), 0);
        RandomiseAdapters(peft);
        model.eval();
        var evalOut = layer.call(x).detach().clone();
        AssertClose(evalOut, layer.call(x), 0, "eval mode is deterministic");
        model.train();
        Assert.True((layer.call(x) - evalOut).abs().max().item<double>() > 1e-6, "training mode drops inputs of the adapter branch");
    }
}
