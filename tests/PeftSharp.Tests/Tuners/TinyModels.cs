using PeftSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Tuners;

/// <summary>A three-layer model with a Linear, a GPT-2 Conv1D and a head, for adapter tests.</summary>
internal sealed class TinyMlp : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006
    public nn.Module<Tensor, Tensor> fc_in;
    public nn.Module<Tensor, Tensor> c_proj;
    public nn.Module<Tensor, Tensor> head;
#pragma warning restore IDE1006

    public TinyMlp(ScalarType dtype = ScalarType.Float64, long inFeatures = 6, long hidden = 5, long outFeatures = 4, long classes = 3)
        : base(nameof(TinyMlp))
    {
        fc_in = nn.Linear(inFeatures, hidden, dtype: dtype);
        c_proj = new Conv1D(hidden, outFeatures, dtype: dtype);
        head = nn.Linear(outFeatures, classes, dtype: dtype);
        using (no_grad())
            foreach (var p in parameters()) p.normal_(0, 0.5);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => head.call(nn.functional.tanh(c_proj.call(nn.functional.tanh(fc_in.call(x)))));
}

internal static class TestTensors
{
    public static Tensor Random(params long[] shape) => torch.randn(shape, dtype: ScalarType.Float64);

    public static void AssertClose(Tensor expected, Tensor actual, double tolerance, string? what = null)
    {
        Assert.Equal(expected.shape, actual.shape);
        var diff = (expected.to(ScalarType.Float64) - actual.to(ScalarType.Float64)).abs().max().item<double>();
        Assert.True(diff <= tolerance, $"{what ?? "tensors"} differ by {diff:E3} > {tolerance:E1}");
    }

    /// <summary>Central finite differences of a scalar function with respect to every entry of <paramref name="p"/>.</summary>
    public static Tensor FiniteDifferenceGradient(Tensor p, Func<double> loss, double eps = 1e-6)
    {
        var grad = torch.zeros_like(p);
        using var noGrad = torch.no_grad();
        var flat = p.view(-1);
        var g = grad.view(-1);
        for (long i = 0; i < flat.numel(); i++)
        {
            double original = flat[i].item<double>();
            flat[i] = original + eps;
            double plus = loss();
            flat[i] = original - eps;
            double minus = loss();
            flat[i] = original;
            g[i] = (plus - minus) / (2 * eps);
        }
        return grad;
    }
}
