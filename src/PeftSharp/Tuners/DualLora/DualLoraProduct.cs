using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Tuners.DualLora;

/// <summary>
/// s · W_m ⊙ W_d(DC) for the plain-autograd path, with the paper's gradient at D·C (<see cref="DirectionRules.DirectionInputGradient"/>):
/// W_m's own gradient flows back through ordinary autograd, so this function only stands in for the non-differentiable
/// Sign. Inputs: W_m (d, k), DC (d, k), then s (double), <see cref="SignMode"/>, <see cref="SteClip"/>.
/// </summary>
internal sealed class DualLoraProduct : autograd.SingleTensorFunction<DualLoraProduct>
{
    public override string Name => nameof(DualLoraProduct);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (magnitude, dc) = ((Tensor)vars[0], (Tensor)vars[1]);
        var (scale, mode, clip) = ((double)vars[2], (SignMode)vars[3], (SteClip)vars[4]);
        ctx.save_for_backward([magnitude, dc]);
        ctx.save_data("scale", scale);
        ctx.save_data("mode", mode);
        ctx.save_data("clip", clip);
        using var direction = DirectionRules.Direction(dc, mode);
        return magnitude.mul(direction).mul_(scale);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables();
        var (magnitude, dc) = (saved[0], saved[1]);
        double scale = (double)ctx.get_data("scale");
        var (mode, clip) = ((SignMode)ctx.get_data("mode"), (SteClip)ctx.get_data("clip"));
        using var direction = DirectionRules.Direction(dc, mode);
        return
        [
            gradOutput.mul(direction).mul_(scale),
            DirectionRules.DirectionInputGradient(gradOutput, magnitude, scale, mode, clip),
            null!, null!, null!,
        ];
    }
}
