using PeftSharp.Models;
using PeftSharp.Workflows;

namespace PeftSharp.Tests.Gguf;

/// <summary>
/// Models for the GGUF tests, each in exact HuggingFace layout in a fresh temporary folder: the shipped wordnet-gpt2, and
/// tiny random LLaMA-family models (weights drawn with a wide init so that logits are far from ties) with real tokenizers
/// of the tokenization fixtures.
/// </summary>
internal static class GgufTestModels
{
    public static string ShippedGpt2 => Path.Combine(DemoWorkflow.Assets(), "models", "wordnet-gpt2");

    public static string TempFolder(string name) => Directory.CreateTempSubdirectory($"peft-gguf-{name}-").FullName;

    /// <summary>LLaMA-2 style: grouped-query attention (4 query, 2 key/value heads), untied head, SentencePiece BPE tokenizer (700 pieces, byte fallback).</summary>
    public static string LlamaGqa() => Build("llama-gqa", """
        {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "vocab_size": 700, "hidden_size": 32, "intermediate_size": 64,
         "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 128, "rms_norm_eps": 1e-5,
         "rope_theta": 10000.0, "tie_word_embeddings": false, "initializer_range": 0.3, "bos_token_id": 1, "eos_token_id": 2}
        """, "llama2-tiny");

    /// <summary>LLaMA-3 style: llama3 rope scaling (one frequency in the smooth band), tied head, GQA, byte-level BPE tokenizer with the LLaMA-3 regex.</summary>
    public static string Llama3() => Build("llama3", """
        {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "vocab_size": 864, "hidden_size": 32, "intermediate_size": 64,
         "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 128, "rms_norm_eps": 1e-5,
         "rope_theta": 10000.0, "tie_word_embeddings": true, "initializer_range": 0.3, "bos_token_id": 858, "eos_token_id": 859,
         "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 64}}
        """, "llama3-tiny");

    /// <summary>Qwen2 style: q/k/v biases, rotate-half rope as HF (llama.cpp's qwen2 architecture), byte-level BPE tokenizer.</summary>
    public static string Qwen2() => Build("qwen2", """
        {"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], "vocab_size": 864, "hidden_size": 32, "intermediate_size": 64,
         "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 128, "rms_norm_eps": 1e-6,
         "rope_theta": 1000000.0, "tie_word_embeddings": false, "initializer_range": 0.3, "bos_token_id": 858, "eos_token_id": 859,
         "sliding_window": null, "use_sliding_window": false}
        """, "llama3-tiny");

    private static string Build(string name, string configJson, string tokenizerFixture)
    {
        var folder = TempFolder(name);
        File.WriteAllText(Path.Combine(folder, "config.json"), configJson);
        using (var model = PretrainedModelLoader.Create(ModelConfig.Load(Path.Combine(folder, "config.json")), seed: 7))
        {
            // Biases start at zero in HF's init; give them values so that their mapping is exercised too.
            using var noGrad = TorchSharp.torch.no_grad();
            foreach (var (parameterName, parameter) in model.Module.named_parameters())
                if (parameterName.EndsWith(".bias", StringComparison.Ordinal)) parameter.normal_(0, 0.3);
            PretrainedModelLoader.Save(model, folder);
        }
        foreach (var file in Directory.GetFiles(Fixtures.PathOf("tokenization", tokenizerFixture)))
            if (Path.GetFileName(file) is not ("expected.json" or "config.json"))
                File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        return folder;
    }
}
