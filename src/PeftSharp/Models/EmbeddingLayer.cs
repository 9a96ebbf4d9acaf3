using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Models;

/// <summary>
/// <c>nn.Embedding</c>, also on the meta device: TorchSharp's native constructor allocates and initialises the table on
/// the CPU before moving it, which defeats building a model's blueprint on the meta device (see <see cref="ModelBlueprint"/>).
/// On real devices it is exactly <c>nn.Embedding</c> (same random initialisation).
/// </summary>
internal static class EmbeddingLayer
{
    public static Embedding Create(long count, long dim, Device? device, ScalarType? dtype, long? paddingIndex = null)
    {
        if (device?.type != DeviceType.META) return nn.Embedding(count, dim, padding_idx: paddingIndex, device: device, dtype: dtype);
        var embedding = nn.Embedding(1, 1, device: device, dtype: dtype);
        embedding.weight = new Parameter(empty(count, dim, dtype: dtype, device: device));
        return embedding;
    }
}
