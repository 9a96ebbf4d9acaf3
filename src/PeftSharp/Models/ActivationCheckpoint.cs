using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Models;

/// <summary>
/// Activation checkpointing of one transformer block (HuggingFace's gradient checkpointing; TorchSharp has none): the
/// forward pass runs the block without keeping anything it computes but its output — its activations are freed at once —
/// and the backward pass runs the block's forward again, under the random-generator state of the first run so dropout
/// draws the same masks, and backpropagates through that rerun. Gradients equal the plain path's bit for bit; the cost is
/// one more forward pass of every block per step (docs/precision.md).
/// </summary>
/// <remarks>
/// Inputs of <c>apply</c>: the block's forward (a function of the tensors that follow), the number of those tensors, the
/// tensors (the hidden states first, then anything shared that may need a gradient), and the block's trainable
/// parameters, so that the node's output requires a gradient whenever the block trains even if its input does not
/// (the first block of a model whose embeddings are frozen). Everything else the forward reads must be constant.
/// </remarks>
internal sealed class ActivationCheckpoint : autograd.SingleTensorFunction<ActivationCheckpoint>
{
    public override string Name => nameof(ActivationCheckpoint);

    /// <summary>
    /// <paramref name="forward"/> of <paramref name="block"/> on <paramref name="hidden"/> (batch, seq, d) — checkpointed
    /// when <paramref name="enabled"/>, the block is training and gradients are being recorded, else called directly.
    /// </summary>
    public static Tensor Run(bool enabled, nn.Module block, Tensor hidden, Func<Tensor, Tensor> forward) =>
        Run(enabled, [block], [hidden], inputs => forward(inputs[0]));

    /// <summary>
    /// As <see cref="Run(bool, nn.Module, Tensor, Func{Tensor, Tensor})"/> for a unit of one or more modules
    /// (<paramref name="modules"/>, whose trainable parameters it uses) that may also read shared tensors needing a gradient.
    /// </summary>
    public static Tensor Run(bool enabled, nn.Module[] modules, Tensor[] inputs, Func<Tensor[], Tensor> forward)
    {
        if (!enabled || !modules[0].training || !is_grad_enabled()) return forward(inputs);
        if (inputs[0].device_type != DeviceType.CPU)
            throw new PeftSharpException("gradient checkpointing restores only the CPU random generator for the recomputed dropout; train on the CPU or without it");
        var trainable = modules.SelectMany(m => m.parameters()).Where(p => p.requires_grad).Cast<Tensor>();
        return apply([forward, inputs.Length, .. inputs, .. trainable]);
    }

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var run = (Func<Tensor[], Tensor>)vars[0];
        int count = (int)vars[1];
        var inputs = vars.Skip(2).Take(count).Cast<Tensor>().ToArray();
        var rng = get_rng_state(); // outside the scope below: saved tensors must outlive forward
        ctx.save_for_backward([.. inputs, rng]);
        ctx.save_data("run", run);
        ctx.save_data("needs_grad", inputs.Select(t => t.requires_grad).ToArray());
        ctx.save_data("parameters", vars.Skip(2 + count).Cast<Tensor>().ToArray());
        using var scope = NewDisposeScope(); // the block's activations die here: only the output leaves
        return run(inputs).MoveToOuterDisposeScope();
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        using var scope = NewDisposeScope();
        var saved = ctx.get_saved_variables();
        var run = (Func<Tensor[], Tensor>)ctx.get_data("run");
        var needsGrad = (bool[])ctx.get_data("needs_grad");
        var parameters = (Tensor[])ctx.get_data("parameters");
        int count = needsGrad.Length;
        var inputs = saved.Take(count).Select((t, i) => needsGrad[i] ? t.detach().requires_grad_(true) : t.detach()).ToArray();
        var resume = get_rng_state();
        set_rng_state(saved[count]); // the first run's dropout masks
        Tensor output;
        using (enable_grad()) output = run(inputs);
        set_rng_state(resume);       // the rerun leaves the generator where the step had it

        var wrt = inputs.Where((_, i) => needsGrad[i]).Concat(parameters).ToList();
        var grads = autograd.grad([output], wrt, [gradOutput], allow_unused: true);
        var result = new List<Tensor> { null!, null! };
        int next = 0;
        for (int i = 0; i < count; i++) result.Add(needsGrad[i] ? Defined(grads[next++]) : null!);
        for (int p = 0; p < parameters.Length; p++) result.Add(Defined(grads[next++]));
        foreach (var g in result) g?.MoveToOuterDisposeScope();
        return result;
    }

    private static Tensor Defined(Tensor t) => t is null || t.IsInvalid ? null! : t;
}
