namespace PeftSharp.Tokenization.Gguf;

/// <summary>
/// The byte-level BPE pre-tokenizers that llama.cpp names in <c>tokenizer.ggml.pre</c> and HF's tokenizer.json writes as
/// a regex: <c>gpt-2</c> (GPT-2's pattern, HF's ByteLevel with use_regex), <c>llama-bpe</c> (LLaMA-3's pattern; llama.cpp
/// also reads <c>llama3</c> and <c>llama-v3</c>), <c>qwen2</c> (LLaMA-3's with single digits).
/// </summary>
internal static class PreTokenizers
{
    public const string Gpt2 = "gpt-2", Llama3 = "llama-bpe", Qwen2 = "qwen2";

    /// <summary>Qwen2's pattern, as written in its tokenizer.json.</summary>
    public const string Qwen2Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public static string Supported => $"{Gpt2}, {Llama3} (llama3, llama-v3), {Qwen2}";

    public static bool IsSupported(string name) => Pattern(name) is not null;

    /// <summary>The regex of a llama.cpp pre-tokenizer name, or null.</summary>
    public static string? Pattern(string name) => name switch
    {
        Gpt2 => PreTokenizerRegex.Gpt2Pattern,
        Llama3 or "llama3" or "llama-v3" => PreTokenizerRegex.Llama3Pattern,
        Qwen2 => Qwen2Pattern,
        _ => null,
    };

    /// <summary>llama.cpp's name of a regex, or null when llama.cpp has no pre-tokenizer with exactly that pattern.</summary>
    public static string? NameOf(string pattern) => pattern switch
    {
        PreTokenizerRegex.Gpt2Pattern => Gpt2,
        PreTokenizerRegex.Llama3Pattern => Llama3,
        Qwen2Pattern => Qwen2,
        _ => null,
    };
}
