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
public sealed class LinearLike
{
    private LinearLike(nn.Module<Tensor, Tensor> module, Parameter weight, Parameter? bias, bool fanInFanOut)
    {
        Module = module; Weight = weight; Bias = bias; FanInFanOut = fanInFanOut;
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

    /// <summary>W0 as (d, k) = (out, in); a view for Conv1D.</summary>
    public Tensor WeightDk => FanInFanOut ? Weight.t() : Weight.alias();

    /// <summary>The layer's own output W0·x + b.</summary>
    public Tensor Forward(Tensor x) => Module.call(x);

    /// <summary>Converts a (d, k) tensor into this layer's storage layout.</summary>
    public Tensor ToStorageLayout(Tensor deltaDk) => FanInFanOut ? deltaDk.t() : deltaDk;

    public Device Device => Weight.device;
    public ScalarType Dtype => Weight.dtype;
}
