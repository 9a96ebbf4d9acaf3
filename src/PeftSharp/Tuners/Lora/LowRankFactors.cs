using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Tuners.Lora;

/// <summary>
/// LoRA's A (r, k) and B (d, r) as linear layers with LoRA's initialisation (shared by LoRA and DoRA); B has a zero bias
/// when asked (PEFT's lora_bias), so the adapter starts as a no-op either way.
/// </summary>
internal static class LowRankFactors
{
    public static (Linear A, Linear B) Create(LinearLike layer, int r, bool upBias = false)
    {
        var a = nn.Linear(layer.InFeatures, r, hasBias: false, device: layer.Device, dtype: layer.Dtype);
        var b = nn.Linear(r, layer.OutFeatures, hasBias: upBias, device: layer.Device, dtype: layer.Dtype);
        using (no_grad())
        {
            nn.init.kaiming_uniform_(a.weight!, a: Math.Sqrt(5));
            nn.init.zeros_(b.weight!);
            if (b.bias is { } bias) nn.init.zeros_(bias);
        }
        return (a, b);
    }
}
