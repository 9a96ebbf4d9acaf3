using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Models;

/// <summary>The activation functions HF configs name (<c>activation_function</c>, <c>hidden_act</c>).</summary>
internal static class Activations
{
    public static IReadOnlyList<string> Supported { get; } = ["gelu", "gelu_new", "gelu_pytorch_tanh", "relu", "silu", "swish", "tanh"];

    public static bool IsSupported(string name) => Supported.Contains(name);

    public static Tensor Apply(string name, Tensor x) => name switch
    {
        "gelu" => nn.functional.gelu(x),                                          // exact (erf)
        "gelu_new" or "gelu_pytorch_tanh" => nn.functional.gelu(x, GELU.Approximate.tanh),
        "relu" => nn.functional.relu(x),
        "silu" or "swish" => nn.functional.silu(x),
        "tanh" => x.tanh(),
        _ => throw new PeftSharpException($"unsupported activation function '{name}' (supported: {string.Join(", ", Supported)})"),
    };
}
