using PeftSharp.Models;

namespace PeftSharp.Tests.Workflows;

/// <summary>Tiny model folders in exact HuggingFace layout (config.json, model.safetensors, tokenizer files) for end-to-end tests.</summary>
internal static class TinyHfModels
{
    private static string NewFolder(string name) => Directory.CreateTempSubdirectory($"peft-{name}-").FullName;

    private static void CopyTokenizer(string fixture, string dir)
    {
        foreach (var file in Directory.GetFiles(Fixtures.PathOf("tokenization", fixture)).Where(f => !f.EndsWith("expected.json") && !f.EndsWith("config.json") || f.EndsWith("tokenizer_config.json")))
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
    }

    private static string Build(string name, string configJson, string tokenizerFixture)
    {
        var dir = NewFolder(name);
        File.WriteAllText(Path.Combine(dir, "config.json"), configJson);
        var model = PretrainedModelLoader.Create(ModelConfig.Load(Path.Combine(dir, "config.json")), seed: 3);
        PretrainedModelLoader.Save(model, dir);
        model.Dispose();
        CopyTokenizer(tokenizerFixture, dir);
        return dir;
    }

    /// <summary>GPT-2 (2 layers, width 32) with the 857-token byte-level BPE of the tokenization fixtures.</summary>
    public static string Gpt2() => Build("gpt2", """
        {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": 857, "n_positions": 64, "n_embd": 32, "n_layer": 2,
         "n_head": 2, "activation_function": "gelu_new", "resid_pdrop": 0.0, "embd_pdrop": 0.0, "attn_pdrop": 0.0,
         "layer_norm_epsilon": 1e-5, "initializer_range": 0.4, "bos_token_id": 856, "eos_token_id": 856}
        """, "gpt2-tiny");

    /// <summary>BERT (2 layers, width 32) with the 72-token WordPiece vocabulary of the tokenization fixtures.</summary>
    public static string Bert() => Build("bert", """
        {"model_type": "bert", "architectures": ["BertForSequenceClassification"], "vocab_size": 72, "hidden_size": 32, "num_hidden_layers": 2,
         "num_attention_heads": 2, "intermediate_size": 64, "max_position_embeddings": 64, "type_vocab_size": 2, "hidden_dropout_prob": 0.0,
         "attention_probs_dropout_prob": 0.0, "pad_token_id": 0, "num_labels": 2}
        """, "bert-tiny");

    public static string Jsonl(params string[] rows)
    {
        var path = Path.Combine(NewFolder("data"), "data.jsonl");
        File.WriteAllLines(path, rows);
        return path;
    }
}
