using PeftSharp.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Tuners;

/// <summary>
/// A linear-like layer an adapter attaches to: <c>nn.Linear</c> (weight (d, k)) or GPT-2's
/// <see cref="Conv1D"/> (weight stored transposed, (k, d); PEFT's <c>fan_in_fan_out</c>).
/// Adapters always reason in the Linear layout: <see cref="WeightDk"/> is a (d, k) view that
/// shares storage with the real weight, so in-place merges write the layer's own layout.
/// </summary>
internal sealed class BaseLayer
{
    public nn.Module<Tensor, Tensor> Module { get; }
    public bool FanInFanOut { get; }
    public Parameter Weight { get; }
    public Parameter? Bias { get; }

    BaseLayer(nn.Module<Tensor, Tensor> module, Parameter weight, Parameter? bias, bool fanInFanOut)
    {
        Module = module; Weight = weight; Bias = bias; FanInFanOut = fanInFanOut;
    }

    /// <summary>Wraps <paramref name="module"/> when it is a linear-like layer, else null.</summary>
    public static BaseLayer? TryWrap(nn.Module module) => module switch
    {
        Linear linear => new BaseLayer(linear, linear.weight!, linear.bias, fanInFanOut: false),
        Conv1D conv => new BaseLayer(conv, conv.weight, conv.bias, fanInFanOut: true),
        _ => null,
    };

    public static bool IsLinearLike(nn.Module module) => module is Linear or Conv1D;

    public long OutFeatures => FanInFanOut ? Weight.shape[1] : Weight.shape[0];
    public long InFeatures => FanInFanOut ? Weight.shape[0] : Weight.shape[1];

    /// <summary>W0 as (d, k) = (out, in); a view for Conv1D.</summary>
    public Tensor WeightDk => FanInFanOut ? Weight.t() : Weight.alias();

    public Tensor Forward(Tensor x) => Module.call(x);

    /// <summary>x·Wᵀ + b for an arbitrary (d, k) weight, with this layer's bias.</summary>
    public Tensor LinearWith(Tensor x, Tensor weightDk) => nn.functional.linear(x, weightDk, Bias);

    /// <summary>Converts a (d, k) tensor into this layer's storage layout.</summary>
    public Tensor ToStorageLayout(Tensor deltaDk) => FanInFanOut ? deltaDk.t() : deltaDk;

    public Device Device => Weight.device;
    public ScalarType Dtype => Weight.dtype;
}
