using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Tuners.DualLora;

/// <summary>
/// Sign with Sign(0) = −1 (paper 001 eq. 6) and the straight-through estimator of eq. 7: the gradient
/// passed to the input is the incoming gradient clipped to [−1, 1] (not the hard-tanh STE, which would
/// zero it where |input| > 1).
/// </summary>
internal sealed class SignSte : autograd.SingleTensorFunction<SignSte>
{
    public override string Name => nameof(SignSte);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars) => Sign((Tensor)vars[0]);

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput) => new() { gradOutput.clamp(-1, 1) };

    /// <summary>+1 where x &gt; 0, −1 elsewhere (including 0), in x's dtype.</summary>
    public static Tensor Sign(Tensor x)
    {
        using var positive = x.gt(0);
        return positive.to(x.dtype).mul_(2).sub_(1); // one d×k result, no full-size temporaries left behind
    }
}
