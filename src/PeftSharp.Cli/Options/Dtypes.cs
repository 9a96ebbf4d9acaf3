using static TorchSharp.torch;

namespace PeftSharp.Cli.Options;

/// <summary>The --dtype values.</summary>
internal static class Dtypes
{
    public static readonly string[] Names = ["float32", "bfloat16", "float16", "float64"];

    public static ScalarType Parse(string dtype) => dtype.ToLowerInvariant() switch
    {
        "float32" or "fp32" or "f32" => ScalarType.Float32,
        "bfloat16" or "bf16" => ScalarType.BFloat16,
        "float16" or "fp16" or "f16" => ScalarType.Float16,
        "float64" or "fp64" => ScalarType.Float64,
        _ => throw new PeftSharpException($"--dtype must be one of {string.Join(", ", Names)}, got '{dtype}'"),
    };
}
