using PeftSharp.IO.Gguf;
using PeftSharp.Models.Gpt2;
using PeftSharp.Models.Llama;

namespace PeftSharp.Models.Gguf;

/// <summary>
/// How one model architecture is written as, and read from, a llama.cpp GGUF model: the <c>general.architecture</c>
/// name, the hyper-parameter keys, and the tensor names and layouts. One subclass per architecture lives next to it
/// (<see cref="Gpt2Gguf"/>, <see cref="LlamaGguf"/>).
/// </summary>
internal abstract class GgufArchitecture
{
    /// <summary>llama.cpp's architecture name (<c>general.architecture</c>) and the prefix of its hyper-parameter keys.</summary>
    public abstract string Name { get; }

    /// <summary>Throws if llama.cpp cannot run <paramref name="config"/> exactly as PeftSharp does; warns of approximations.</summary>
    public abstract void CheckExportable(ModelConfig config, string source, Action<string> warn);

    /// <summary>The <c>{arch}.*</c> hyper-parameters of <paramref name="config"/>.</summary>
    public abstract IEnumerable<KeyValuePair<string, GgufValue>> HyperParameters(ModelConfig config);

    /// <summary>Every parameter of the causal LM built from <paramref name="config"/>, with its GGUF name and layout.</summary>
    public abstract IReadOnlyList<GgufTensorMap> Tensors(ModelConfig config);

    /// <summary>Tensors llama.cpp needs that are no parameter (LLaMA-3's rope_freqs), as float32 values.</summary>
    public virtual IEnumerable<(string Name, float[] Values)> ExtraTensors(ModelConfig config) => [];

    /// <summary>
    /// The HF config.json (as JSON text) of the model a GGUF file describes: hyper-parameters from the metadata, the
    /// vocabulary size and tied head from the tensors, special token ids from the tokenizer metadata.
    /// </summary>
    public abstract ModelConfig ReadConfig(GgufFile file);

    /// <summary>The architecture PeftSharp writes <paramref name="config"/> as.</summary>
    public static GgufArchitecture For(ModelConfig config, string source) => config switch
    {
        Gpt2Config => new Gpt2Gguf(),
        LlamaConfig { ModelType: "qwen2" } => new LlamaGguf("qwen2"),
        LlamaConfig => new LlamaGguf("llama"),
        _ => throw new PeftSharpException($"{source}: model_type '{config.ModelType}' cannot be exported to GGUF (supported: gpt2, llama, mistral, qwen2)"),
    };

    /// <summary>The architecture of a GGUF file by its <c>general.architecture</c>.</summary>
    public static GgufArchitecture For(GgufMetadata metadata)
    {
        var name = metadata.String(GeneralArchitecture) ?? throw metadata.Missing(GeneralArchitecture, "every GGUF model names its architecture");
        return name switch
        {
            "gpt2" => new Gpt2Gguf(),
            "llama" or "qwen2" => new LlamaGguf(name),
            _ => throw new PeftSharpException($"{metadata.Source}: architecture '{name}' is not supported (supported: gpt2, llama, qwen2)"),
        };
    }

    public const string GeneralArchitecture = "general.architecture";

    /// <summary>A key of this architecture: <c>{Name}.{suffix}</c>.</summary>
    protected string Key(string suffix) => $"{Name}.{suffix}";

    protected static KeyValuePair<string, GgufValue> Entry(string key, GgufValue value) => KeyValuePair.Create(key, value);

    /// <summary>Rows of the token embedding: the vocabulary size llama.cpp sees.</summary>
    protected static int VocabularySize(GgufFile file) => checked((int)file.GetInfo("token_embd.weight").Shape[0]);

    /// <summary>Special-token ids of the embedded tokenizer, as config.json fields.</summary>
    protected static void AddSpecialTokens(System.Text.Json.Nodes.JsonObject config, GgufMetadata metadata)
    {
        config["bos_token_id"] = metadata.Count("tokenizer.ggml.bos_token_id");
        config["eos_token_id"] = metadata.Count("tokenizer.ggml.eos_token_id");
        config["pad_token_id"] = metadata.Count("tokenizer.ggml.padding_token_id");
    }
}
