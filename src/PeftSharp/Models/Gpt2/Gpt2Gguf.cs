using System.Text.Json.Nodes;
using PeftSharp.IO.Gguf;
using PeftSharp.Models.Gguf;

namespace PeftSharp.Models.Gpt2;

/// <summary>
/// GPT-2 in llama.cpp's GGUF (architecture <c>gpt2</c>): token_embd, position_embd, per block attn_norm, attn_qkv (the
/// fused c_attn), attn_output, ffn_norm, ffn_up (c_fc), ffn_down (mlp.c_proj), each Conv1D weight transposed to the
/// Linear orientation; output_norm; output only when the head is not tied (llama.cpp reuses token_embd otherwise).
/// llama.cpp's GPT-2 always scales attention by 1/√head_dim and uses the tanh approximation of GELU.
/// </summary>
internal sealed class Gpt2Gguf : GgufArchitecture
{
    public override string Name => "gpt2";

    public override void CheckExportable(ModelConfig config, string source, Action<string> warn)
    {
        var gpt2 = (Gpt2Config)config;
        if (gpt2.ActivationFunction is not ("gelu_new" or "gelu_pytorch_tanh"))
            throw new PeftSharpException($"{source}: llama.cpp's GPT-2 uses the tanh approximation of GELU; activation_function '{gpt2.ActivationFunction}' would run differently (supported: gelu_new, gelu_pytorch_tanh)");
        if (!gpt2.ScaleAttnWeights || gpt2.ScaleAttnByInverseLayerIdx)
            throw new PeftSharpException($"{source}: llama.cpp's GPT-2 scales attention by 1/√head_dim only (scale_attn_weights true, scale_attn_by_inverse_layer_idx false)");
    }

    public override IEnumerable<KeyValuePair<string, GgufValue>> HyperParameters(ModelConfig config)
    {
        var c = (Gpt2Config)config;
        yield return Entry(Key("context_length"), GgufValue.Of((uint)c.NPositions));
        yield return Entry(Key("embedding_length"), GgufValue.Of((uint)c.NEmbd));
        yield return Entry(Key("feed_forward_length"), GgufValue.Of((uint)c.Inner));
        yield return Entry(Key("block_count"), GgufValue.Of((uint)c.NLayer));
        yield return Entry(Key("attention.head_count"), GgufValue.Of((uint)c.NHead));
        yield return Entry(Key("attention.layer_norm_epsilon"), GgufValue.Of((float)c.LayerNormEpsilon));
    }

    public override IReadOnlyList<GgufTensorMap> Tensors(ModelConfig config)
    {
        var c = (Gpt2Config)config;
        var maps = new List<GgufTensorMap>
        {
            new("transformer.wte.weight", "token_embd.weight"),
            new("transformer.wpe.weight", "position_embd.weight"),
        };
        for (int i = 0; i < c.NLayer; i++)
        {
            string hf = $"transformer.h.{i}.", blk = $"blk.{i}.";
            foreach (var (module, name, conv) in new[]
            {
                ("ln_1", "attn_norm", false), ("attn.c_attn", "attn_qkv", true), ("attn.c_proj", "attn_output", true),
                ("ln_2", "ffn_norm", false), ("mlp.c_fc", "ffn_up", true), ("mlp.c_proj", "ffn_down", true),
            })
            {
                maps.Add(new GgufTensorMap($"{hf}{module}.weight", $"{blk}{name}.weight", Transposed: conv));
                maps.Add(new GgufTensorMap($"{hf}{module}.bias", $"{blk}{name}.bias"));
            }
        }
        maps.Add(new("transformer.ln_f.weight", "output_norm.weight"));
        maps.Add(new("transformer.ln_f.bias", "output_norm.bias"));
        if (!c.TieWordEmbeddings) maps.Add(new("lm_head.weight", "output.weight"));
        return maps;
    }

    public override ModelConfig ReadConfig(GgufFile file)
    {
        var m = file.Metadata;
        const string why = "a GPT-2 model needs it";
        var config = new JsonObject
        {
            ["model_type"] = "gpt2",
            ["architectures"] = new JsonArray("GPT2LMHeadModel"),
            ["vocab_size"] = VocabularySize(file),
            ["n_positions"] = m.RequiredCount(Key("context_length"), why),
            ["n_embd"] = m.RequiredCount(Key("embedding_length"), why),
            ["n_inner"] = m.RequiredCount(Key("feed_forward_length"), why),
            ["n_layer"] = m.RequiredCount(Key("block_count"), why),
            ["n_head"] = m.RequiredCount(Key("attention.head_count"), why),
            ["layer_norm_epsilon"] = m.Number(Key("attention.layer_norm_epsilon")) ?? throw m.Missing(Key("attention.layer_norm_epsilon"), why),
            ["activation_function"] = "gelu_new",
            ["tie_word_embeddings"] = !file.Contains("output.weight"),
        };
        AddSpecialTokens(config, m);
        return ModelConfig.Parse(config.ToJsonString(), m.Source);
    }
}
