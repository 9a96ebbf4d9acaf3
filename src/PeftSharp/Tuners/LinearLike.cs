using PeftSharp.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Tuners;

/// <summary>
/// A linear-like layer an adapter attaches to: <c>nn.Linear</c> (weight (d, k)) or GPT-2's
/// <see cref="Conv1D"/> (weight stored transposed, (k, d); PEFT's <c>fan_in_fan_out</c>).
/// Adapters always reason in the Linear layout: <see cref="WeightDk"/> is a (d, k) view that
/// shares storage with the real weight, so in-place merges write the layer's own layout.
/// An adapter whose dtype differs from the layer's (float32 adapters over a bfloat16 or float16 model) sees the layer
/// through <see cref="As"/>: in its own dtype, while the layer still stores and multiplies its weight in its own.
/// </summary>
public sealed class LinearLike
{
    private readonly ScalarType? adapterDtype; // set on a view in another dtype (see As)

    private LinearLike(nn.Module<Tensor, Tensor> module, Parameter weight, Parameter? bias, bool fanInFanOut, ScalarType? adapterDtype = null)
    {
        Module = module; Weight = weight; Bias = bias; FanInFanOut = fanInFanOut; this.adapterDtype = adapterDtype;
    }

    /// <summary>The original layer.</summary>
    public nn.Module<Tensor, Tensor> Module { get; }
    /// <summary>True for GPT-2's Conv1D, whose weight is stored (k, d).</summary>
    public bool FanInFanOut { get; }
    /// <summary>The weight in its storage layout.</summary>
    public Parameter Weight { get; }
    public Parameter? Bias { get; }

    /// <summary>Wraps <paramref name="module"/> when it is a linear-like layer, else null.</summary>
    internal static LinearLike? TryWrap(nn.Module module) => module switch
    {
        Linear linear => new LinearLike(linear, linear.weight!, linear.bias, fanInFanOut: false),
        Conv1D conv => new LinearLike(conv, conv.weight, conv.bias, fanInFanOut: true),
        _ => null,
    };

    internal static bool IsLinearLike(nn.Module module) => module is Linear or Conv1D;

    /// <summary>d, the output features.</summary>
    public long OutFeatures => FanInFanOut ? Weight.shape[1] : Weight.shape[0];
    /// <summary>k, the input features.</summary>
    public long InFeatures => FanInFanOut ? Weight.shape[0] : Weight.shape[1];

    /// <summary>W0 as (d, k) = (out, in); a view for Conv1D (a converted copy on a view from <see cref="As"/>).</summary>
    public Tensor WeightDk
    {
        get
        {
            var dk = FanInFanOut ? Weight.t() : Weight.alias();
            return adapterDtype is { } dtype ? dk.to(dtype) : dk;
        }
    }

    /// <summary>The layer's own output W0·x + b (computed in the layer's dtype, returned in <see cref="Dtype"/>).</summary>
    public Tensor Forward(Tensor x) => adapterDtype is { } dtype ? Module.call(x.to(Weight.dtype)).to(dtype) : Module.call(x);

    /// <summary>
    /// This layer as an adapter computing in <paramref name="dtype"/> sees it: <see cref="Dtype"/> is
    /// <paramref name="dtype"/>, <see cref="Forward"/> takes and returns it (the layer still multiplies in its own
    /// dtype, as PEFT's LoRA forward does), <see cref="WeightDk"/> is W0 converted. The layer itself when the dtypes agree.
    /// In-place merges go through the layer itself, never through such a view.
    /// </summary>
    internal LinearLike As(ScalarType dtype) => dtype == Weight.dtype ? this : new LinearLike(Module, Weight, Bias, FanInFanOut, dtype);

    /// <summary>Converts a (d, k) tensor into this layer's storage layout.</summary>
    public Tensor ToStorageLayout(Tensor deltaDk) => FanInFanOut ? deltaDk.t() : deltaDk;

    public Device Device => Weight.device;
    /// <summary>The dtype adapters on this layer are created and computed in: the weight's, or the one given to <see cref="As"/>.</summary>
    public ScalarType Dtype => adapterDtype ?? Weight.dtype;
}
