using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Tuners.Lora;

/// <summary>LoRA's A (r, k) and B (d, r) as bias-free linear layers with LoRA's initialisation (shared by LoRA and DoRA).</summary>
internal static class LowRankFactors
{
    public static (Linear A, Linear B) Create(LinearLike layer, int r)
    {
        var a = nn.Linear(layer.InFeatures, r, hasBias: false, device: layer.Device, dtype: layer.Dtype);
        var b = nn.Linear(r, layer.OutFeatures, hasBias: false, device: layer.Device, dtype: layer.Dtype);
        using (no_grad())
        {
            nn.init.kaiming_uniform_(a.weight!, a: Math.Sqrt(5));
            nn.init.zeros_(b.weight!);
        }
        return (a, b);
    }
}
