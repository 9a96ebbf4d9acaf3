using PeftSharp.IO;

namespace PeftSharp.Workflows;

/// <summary>Files of a HuggingFace model folder besides the weights.</summary>
internal static class ModelFiles
{
    private static readonly string[] TokenizerFiles =
    [
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "vocab.json", "merges.txt",
        "vocab.txt", "tokenizer.model", "spm.model", "generation_config.json",
    ];

    /// <summary>
    /// Copies the tokenizer (and generation config) of <paramref name="from"/> into <paramref name="to"/>, atomically per
    /// file; from a GGUF model, writes the HF tokenizer files equivalent to the tokenizer it embeds.
    /// </summary>
    public static void CopyTokenizer(string from, string to)
    {
        if (IO.Gguf.GgufModelFile.Find(from) is { } gguf)
        {
            foreach (var (name, bytes) in Tokenization.Gguf.GgufTokenizer.Files(gguf)) AtomicFile.WriteAllBytes(Path.Combine(to, name), bytes);
            return;
        }
        foreach (var name in TokenizerFiles)
        {
            var source = Path.Combine(from, name);
            if (File.Exists(source) && Path.GetFullPath(source) != Path.GetFullPath(Path.Combine(to, name)))
                AtomicFile.WriteAllBytes(Path.Combine(to, name), File.ReadAllBytes(source));
        }
    }
}
