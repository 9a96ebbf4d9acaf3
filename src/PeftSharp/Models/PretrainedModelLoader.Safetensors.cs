namespace PeftSharp.Models;

public static partial class PretrainedModelLoader
{
    // Placeholder until PeftSharp.IO's safetensors reader lands (branch safetensors).
    private static ITensorSourceOwner OpenCheckpoint(string directory) => throw new NotImplementedException(directory);

    private interface ITensorSourceOwner : ITensorSource, IDisposable { }
}
