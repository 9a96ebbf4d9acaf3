namespace PeftSharp.IO.Gguf;

/// <summary>
/// Recognises a GGUF model where a model folder is expected: <c>--model</c> naming a <c>.gguf</c> file, or a folder
/// without config.json that holds exactly one <c>.gguf</c> file (a folder with config.json is a HuggingFace folder).
/// </summary>
internal static class GgufModelFile
{
    public const string Extension = ".gguf";

    /// <summary>The GGUF file <paramref name="model"/> stands for, or null when it is not one (a HF folder, or nothing).</summary>
    public static string? Find(string model)
    {
        if (File.Exists(model))
            return model.EndsWith(Extension, StringComparison.OrdinalIgnoreCase) ? model
                : throw new PeftSharpException($"{model}: a model is a folder or a {Extension} file");
        if (!Directory.Exists(model) || File.Exists(Path.Combine(model, "config.json"))) return null;
        var files = Directory.GetFiles(model, "*" + Extension);
        return files.Length switch
        {
            0 => null,
            1 => files[0],
            _ => throw new PeftSharpException($"{model}: holds {files.Length} {Extension} files ({string.Join(", ", files.Select(Path.GetFileName).Order())}); name the one to use"),
        };
    }

    /// <summary>Whether <paramref name="model"/> names a model (folder or GGUF file) that exists.</summary>
    public static bool Exists(string model) => Directory.Exists(model) || File.Exists(model);
}
