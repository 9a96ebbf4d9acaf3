using PeftSharp.Models;
using static TorchSharp.torch;

namespace PeftSharp.Training;

/// <summary>Global L2 gradient-norm clipping, as torch.nn.utils.clip_grad_norm_.</summary>
internal static class GradientClipping
{
    /// <summary>Returns the total norm before clipping; scales the gradients by c = max/(norm + 1e-6) when c &lt; 1 (<paramref name="maxNorm"/> 0 = off).</summary>
    public static double ClipByGlobalNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var grads = parameters.Select(p => p.grad).Where(g => g is not null).Cast<Tensor>().ToList();
        if (grads.Count == 0) return 0;
        var total = stack(grads.Select(g => Norm(g).to(ScalarType.Float64)).ToArray()).norm().item<double>();
        double coefficient = maxNorm / (total + 1e-6);
        if (maxNorm > 0 && coefficient < 1)
            foreach (var g in grads) g.mul_(coefficient);
        return total;
    }

    /// <summary>‖g‖₂, summed in float32 for a half-precision gradient (its float32 copy freed at once).</summary>
    private static Tensor Norm(Tensor g)
    {
        if (!MixedPrecision.IsHalf(g.dtype)) return g.norm();
        using var wide = g.to(ScalarType.Float32);
        return wide.norm();
    }
}
