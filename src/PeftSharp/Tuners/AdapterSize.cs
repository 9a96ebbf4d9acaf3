using System.Globalization;
using System.Runtime.InteropServices;
using PeftSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Tuners;

/// <summary>
/// The memory an adapter will take, measured before it is created: each target layer's adapter is built once against a
/// stand-in of the layer on PyTorch's meta device (shapes only: no memory, and no random numbers drawn, so the real
/// initialisation is unchanged). An adapter that cannot fit — <c>"r": 1000000000</c> in an adapter_config.json — is
/// refused with its size instead of allocating until the process dies.
/// </summary>
internal static class AdapterSize
{
    private static readonly Device Meta = new(DeviceType.META);

    /// <summary>Throws when the adapter <paramref name="config"/> would create on <paramref name="targets"/> cannot fit into memory.</summary>
    public static void Require(nn.Module model, AdapterConfig config, string adapterName, IReadOnlyList<string> targets)
    {
        double bytes = 0;
        long parameters = 0;
        bool onCpu = true;
        foreach (var path in targets)
        {
            var layer = ModuleTree.Get(model, path) is LayerWithAdapters adapted ? adapted.Base : LinearLike.TryWrap(ModuleTree.Get(model, path))!;
            onCpu &= layer.Device.type == DeviceType.CPU;
            using var standIn = StandIn(layer);
            try
            {
                using var adapter = config.CreateLayer(LinearLike.TryWrap(standIn)!, path);
                foreach (var p in adapter.parameters())
                {
                    parameters += p.numel();
                    bytes += (double)p.numel() * p.ElementSize;
                }
            }
            catch (ExternalException)
            {
                return; // a method whose layer needs real values at creation cannot be measured this way; it is created as before
            }
        }
        double available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (onCpu && bytes > available)
            throw new PeftSharpException(string.Create(CultureInfo.InvariantCulture,
                $"{config.PeftType} adapter '{adapterName}' ({Sizes(config)}) would have {parameters:N0} parameters on {targets.Count} layer(s) ({bytes / (1L << 30):N1} GiB), more than the {available / (1L << 30):N1} GiB of memory of this machine; check its sizes"));
    }

    /// <summary>A layer of the same shape, dtype and kind on the meta device.</summary>
    private static nn.Module<Tensor, Tensor> StandIn(LinearLike layer) => layer.FanInFanOut
        ? new Conv1D(layer.InFeatures, layer.OutFeatures, Meta, layer.Dtype)
        : nn.Linear(layer.InFeatures, layer.OutFeatures, hasBias: layer.Bias is not null, device: Meta, dtype: layer.Dtype);

    /// <summary>The config's integer options (ranks and the like), e.g. "r = 8".</summary>
    private static string Sizes(AdapterConfig config) => string.Join(", ", MethodOptions.Of(config.GetType())
        .Where(o => o.ValueType == typeof(int) && o.Property.GetValue(config) is not null)
        .Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Name} = {o.Property.GetValue(config)}")));
}
