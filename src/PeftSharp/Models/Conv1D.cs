using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Models;

/// <summary>
/// GPT-2's "Conv1D": a linear layer whose weight is stored transposed, (in_features, out_features),
/// so y = x·W + b. Parameter names match HuggingFace (<c>weight</c>, <c>bias</c>).
/// </summary>
public sealed class Conv1D : nn.Module<Tensor, Tensor>
{
    public Parameter weight; // (in_features, out_features)
    public Parameter bias;   // (out_features)

    public Conv1D(long inFeatures, long outFeatures, Device? device = null, ScalarType? dtype = null) : base(nameof(Conv1D))
    {
        weight = new Parameter(torch.empty(inFeatures, outFeatures, dtype: dtype, device: device));
        bias = new Parameter(torch.zeros(outFeatures, dtype: dtype, device: device));
        using (torch.no_grad()) nn.init.normal_(weight, 0, 0.02);
        RegisterComponents();
    }

    public long InFeatures => weight.shape[0];
    public long OutFeatures => weight.shape[1];

    public override Tensor forward(Tensor x) => torch.addmm(bias, x.reshape(-1, InFeatures), weight, beta: 1, alpha: 1)
        .view([.. x.shape[..^1], OutFeatures]);
}
