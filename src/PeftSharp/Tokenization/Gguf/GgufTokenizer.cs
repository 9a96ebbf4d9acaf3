using PeftSharp.IO.Gguf;

namespace PeftSharp.Tokenization.Gguf;

/// <summary>The tokenizer embedded in a GGUF model file, as PeftSharp loads it and as HF tokenizer files.</summary>
internal static class GgufTokenizer
{
    /// <summary>PeftSharp's tokenizer for the GGUF file at <paramref name="path"/>.</summary>
    public static ITextTokenizer Load(string path) => LoadFromFiles(Files(path), path);

    /// <summary>The HF tokenizer files equivalent to the file's tokenizer.ggml.* metadata.</summary>
    public static IReadOnlyDictionary<string, byte[]> Files(string path)
    {
        using var file = GgufFile.Open(path);
        return GgufTokenizerFiles.Create(GgufVocabulary.Read(file.Metadata), path);
    }

    /// <summary>The tokenizer from HF tokenizer files built in memory (nothing is written to disk).</summary>
    internal static ITextTokenizer LoadFromFiles(IReadOnlyDictionary<string, byte[]> files, string source)
    {
        try
        {
            return TokenizerLoader.Load(files, source);
        }
        catch (PeftSharpException e)
        {
            throw new PeftSharpException($"{source}: the embedded tokenizer (tokenizer.ggml.*) cannot be loaded: {e.Message}", e);
        }
    }
}
