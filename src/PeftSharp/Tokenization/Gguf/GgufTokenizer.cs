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

    /// <summary>
    /// The hand-over to the tokenizer loader — the one place to switch to a loader that takes files from memory. Until
    /// then the files go to a private temporary folder that is deleted right after loading (the loader reads everything
    /// while loading), never next to the user's files.
    /// </summary>
    internal static ITextTokenizer LoadFromFiles(IReadOnlyDictionary<string, byte[]> files, string source)
    {
        var folder = Directory.CreateTempSubdirectory("peftsharp-gguf-tokenizer-");
        try
        {
            foreach (var (name, bytes) in files) File.WriteAllBytes(Path.Combine(folder.FullName, name), bytes);
            return TokenizerLoader.Load(folder.FullName);
        }
        catch (PeftSharpException e)
        {
            throw new PeftSharpException($"{source}: the embedded tokenizer (tokenizer.ggml.*) cannot be loaded: {e.Message.Replace(folder.FullName + Path.DirectorySeparatorChar, "")}", e);
        }
        finally
        {
            try { folder.Delete(recursive: true); }
            catch (IOException) { } // a leftover in the temporary folder is harmless
        }
    }
}
