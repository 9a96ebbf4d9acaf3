using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Models;

/// <summary>
/// Root-mean-square layer norm (Zhang &amp; Sennrich 2019) as LLaMA uses it: computed in float32,
/// y = x / sqrt(mean(x²) + eps) · weight. Parameter name <c>weight</c> as in HF.
/// </summary>
internal sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    public Parameter weight; // (hidden)
    private readonly double eps;

    public RmsNorm(long hidden, double eps, Device? device = null, ScalarType? dtype = null) : base(nameof(RmsNorm))
    {
        weight = new Parameter(torch.ones(hidden, dtype: dtype, device: device));
        this.eps = eps;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var x32 = x.to(ScalarType.Float32);
        var normed = x32 * torch.rsqrt(x32.pow(2).mean([-1], keepdim: true) + eps);
        return (weight * normed.to(x.dtype)).MoveToOuterDisposeScope();
    }
}
