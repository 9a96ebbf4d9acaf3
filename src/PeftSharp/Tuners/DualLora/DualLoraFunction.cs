using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Tuners.DualLora;

/// <summary>
/// The memory-efficient Dual LoRA layer as one autograd function: y = x·(W0 + s·f(A, B, C, D) + o·f(A0, B0, C0, D0))ᵀ + b
/// with f = act(BA) ⊙ W_d(DC), computed with a single matmul; the second term is the warm-up offset o = −s(1 − γ) on the
/// initial factors (absent once the ramp is over). It saves only its inputs — x, the small factors and the frozen W0, b
/// it was given (<see cref="SavedForBackward"/>) — and recomputes BA, DC, the activation mask and the signs in backward,
/// so no d×k tensor outlives a layer's forward or backward. With W0 and b null it computes only the update (used when
/// dropout separates the two branches). Gradients follow <see cref="DirectionRules"/>, as the plain-autograd path does.
/// Mixed precision (x, W0 and b in bfloat16 or float16, the factors in float32): the update is formed in the factors'
/// dtype, added to W0 there and rounded once to x's dtype, so the product — forward and the d×k weight gradient G = gyᵀx in
/// backward — runs in x's dtype; G is converted to the factors' dtype before their gradients are formed from it.
/// Inputs: x (…, k), W0 (d, k) or null, b (d) or null, A (r1, k), B (d, r1), C (r2, k), D (d, r2),
/// A0, B0, C0, D0 (the initial factors, or all null), then s, o (doubles), <see cref="MagnitudeActivation"/>,
/// <see cref="SignMode"/> (not the fixed random direction) and <see cref="SteClip"/>.
/// </summary>
internal sealed class DualLoraFunction : autograd.SingleTensorFunction<DualLoraFunction>
{
    public override string Name => nameof(DualLoraFunction);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, w0, bias, a, b, c, d) = ((Tensor)vars[0], vars[1] as Tensor, vars[2] as Tensor, (Tensor)vars[3], (Tensor)vars[4], (Tensor)vars[5], (Tensor)vars[6]);
        var initial = vars[7] is Tensor ? new[] { (Tensor)vars[7], (Tensor)vars[8], (Tensor)vars[9], (Tensor)vars[10] } : null;
        var (scale, offsetScale) = ((double)vars[11], (double)vars[12]);
        var (activation, mode, clip) = ((MagnitudeActivation)vars[13], (SignMode)vars[14], (SteClip)vars[15]);
        ctx.save_for_backward(SavedForBackward(vars));
        ctx.save_data("scale", scale);
        ctx.save_data("offset", offsetScale);
        ctx.save_data("activation", activation);
        ctx.save_data("mode", mode);
        ctx.save_data("clip", clip);
        using var scope = NewDisposeScope();
        var weight = EffectiveWeight(w0, a, b, c, d, scale, activation, mode); // (d, k) in the factors' dtype, transient
        if (initial is [var a0, var b0, var c0, var d0])
            using (var offset = EffectiveWeight(null, a0, b0, c0, d0, offsetScale, activation, mode)) weight.add_(offset);
        return nn.functional.linear(x, weight.to(x.dtype), bias).MoveToOuterDisposeScope();
    }

    /// <summary>What forward keeps for backward: its tensor inputs and nothing it computed (null inputs as empty handles).</summary>
    internal static List<Tensor> SavedForBackward(object[] vars) => [.. vars.Take(11).Select(v => (v as Tensor)!)];

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables();
        var (x, w0, bias, a, b, c, d) = (saved[0], Defined(saved[1]), Defined(saved[2]), saved[3], saved[4], saved[5], saved[6]);
        var initial = Defined(saved[7]) is null ? null : saved.Skip(7).Take(4).ToArray();
        double scale = (double)ctx.get_data("scale"), offsetScale = (double)ctx.get_data("offset");
        var activation = (MagnitudeActivation)ctx.get_data("activation");
        var (mode, clip) = ((SignMode)ctx.get_data("mode"), (SteClip)ctx.get_data("clip"));

        using var scope = NewDisposeScope();
        long k = x.shape[^1], dOut = gradOutput.shape[^1];
        var gy = gradOutput.reshape(-1, dOut);                    // (N, d)
        var xs = x.reshape(-1, k);                                // (N, k)

        // d×k tensors are disposed as soon as they are dead, so about six are alive at the peak, not a dozen.
        var dc = d.matmul(c);                                     // (d, k) recomputed
        var direction = DirectionRules.Direction(dc, mode);
        var ba = b.matmul(a);                                     // (d, k) recomputed
        var magnitude = DirectionRules.Activate(activation, ba);
        var derivative = DirectionRules.ActivationDerivative(activation, ba);
        ba.Dispose();

        Tensor? gradX = null;
        if (x.requires_grad)
        {
            using var weight = magnitude.mul(direction).mul_(scale);
            if (w0 is not null) weight.add_(w0);
            if (initial is [var a0, var b0, var c0, var d0])
                using (var offset = EffectiveWeight(null, a0, b0, c0, d0, offsetScale, activation, mode)) weight.add_(offset);
            gradX = gy.matmul(weight.to(x.dtype)).reshape(x.shape);
        }
        var product = gy.t().matmul(xs);                          // G = ∂L/∂W = ∂L/∂ΔW (d, k) in x's dtype: the full weight gradient
        var gradW0 = w0 is { requires_grad: true } ? product.clone() : null;
        var gradDelta = product.dtype == a.dtype ? product : ConvertDisposing(product, a.dtype);

        var gradBA = gradDelta.mul(direction).mul_(derivative).mul_(scale); // s·G ⊙ W_d ⊙ act'(BA)
        derivative.Dispose();
        direction.Dispose();
        var gradDC = DirectionRules.DirectionInputGradient(gradDelta, magnitude, scale, mode, clip);
        gradDelta.Dispose();
        magnitude.Dispose();
        dc.Dispose();

        var grads = new List<Tensor>
        {
            gradX!,
            gradW0!,
            bias is { requires_grad: true } ? gy.sum([0]) : null!,
            b.t().matmul(gradBA),                                // ∂L/∂A (r1, k)
            gradBA.matmul(a.t()),                                // ∂L/∂B (d, r1)
            d.t().matmul(gradDC),                                // ∂L/∂C (r2, k)
            gradDC.matmul(c.t()),                                // ∂L/∂D (d, r2)
            null!, null!, null!, null!,                          // the initial factors are constants
            null!, null!, null!, null!, null!,
        };
        foreach (var g in grads) g?.MoveToOuterDisposeScope();
        return grads;
    }

    private static Tensor? Defined(Tensor t) => t is null || t.IsInvalid ? null : t;

    private static Tensor ConvertDisposing(Tensor t, ScalarType dtype)
    {
        using (t) return t.to(dtype);
    }

    /// <summary>W0 + s·act(BA) ⊙ W_d(DC) (or the update alone when W0 is null), without autograd.</summary>
    internal static Tensor EffectiveWeight(Tensor? w0, Tensor a, Tensor b, Tensor c, Tensor d, double scale, MagnitudeActivation activation, SignMode mode)
    {
        Tensor direction;
        using (var dc = d.matmul(c)) direction = DirectionRules.Direction(dc, mode);
        Tensor update;
        using (var ba = b.matmul(a)) update = DirectionRules.Activate(activation, ba);
        update.mul_(direction).mul_(scale);
        direction.Dispose();
        return w0 is null ? update : update.add_(w0);
    }
}
