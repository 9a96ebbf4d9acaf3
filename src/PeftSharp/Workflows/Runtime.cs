using static TorchSharp.torch;

namespace PeftSharp.Workflows;

/// <summary>Parses the --dtype and --device options.</summary>
public static class Runtime
{
    public static ScalarType ParseDtype(string dtype) => dtype.ToLowerInvariant() switch
    {
        "float32" or "fp32" or "f32" => ScalarType.Float32,
        "bfloat16" or "bf16" => ScalarType.BFloat16,
        "float16" or "fp16" or "f16" => ScalarType.Float16,
        "float64" or "fp64" => ScalarType.Float64,
        _ => throw new PeftSharpException($"--dtype must be float32, bfloat16, float16 or float64, got '{dtype}'"),
    };

    public static Device ParseDevice(string device)
    {
        try
        {
            var parsed = new Device(device);
            if (parsed.type == TorchSharp.DeviceType.CUDA && !TorchSharp.torch.cuda.is_available())
                throw new PeftSharpException($"--device {device}: CUDA is not available (reference a CUDA TorchSharp package, e.g. TorchSharp-cuda-linux, and run on a GPU machine)");
            return parsed;
        }
        catch (ArgumentException e)
        {
            throw new PeftSharpException($"--device must be cpu, cuda or cuda:N, got '{device}' ({e.Message})");
        }
    }
}
