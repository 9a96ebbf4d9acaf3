using static TorchSharp.torch;

namespace PeftSharp.Workflows;

/// <summary>TorchSharp devices by name, with a clear error when the device is not there.</summary>
public static class Devices
{
    /// <summary>"cpu", "cuda" or "cuda:N"; CUDA needs a CUDA TorchSharp package and a GPU.</summary>
    public static Device Resolve(string device)
    {
        try
        {
            var parsed = new Device(device);
            if (parsed.type == TorchSharp.DeviceType.CUDA && !cuda.is_available())
                throw new PeftSharpException($"device '{device}': CUDA is not available (reference a CUDA TorchSharp package, e.g. TorchSharp-cuda-linux, and run on a GPU machine)");
            return parsed;
        }
        catch (ArgumentException e)
        {
            throw new PeftSharpException($"device '{device}' is not cpu, cuda or cuda:N ({e.Message})");
        }
    }
}
