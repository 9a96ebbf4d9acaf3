using System.Text.Json.Nodes;
using PeftSharp.IO.Gguf;
using PeftSharp.Models.Gguf;

namespace PeftSharp.Models.Llama;

/// <summary>
/// LLaMA-family models in llama.cpp's GGUF: architecture <c>llama</c> (LLaMA 1/2/3, Mistral) or <c>qwen2</c>.
/// Tensors token_embd, per block attn_norm, attn_q/k/v/output, ffn_norm, ffn_gate/up/down (biases when the config has
/// them), output_norm, output unless tied. llama.cpp's <c>llama</c> rotates adjacent pairs, so q and k rows are reordered
/// per head (<see cref="GgufTensorMap"/>); <c>qwen2</c> rotates halves as HF does. LLaMA-3's rope scaling becomes the
/// per-frequency divisors of <c>rope_freqs.weight</c>; linear scaling the keys rope.scaling.type/factor.
/// </summary>
internal sealed class LlamaGguf(string name) : GgufArchitecture
{
    public override string Name { get; } = name;

    private const string RopeFreqs = "rope_freqs.weight";
    /// <summary>Llama 3.1/3.2's original context, assumed when a file with rope_freqs does not say.</summary>
    private const int Llama3OriginalContext = 8192;

    public override void CheckExportable(ModelConfig config, string source, Action<string> warn)
    {
        var c = (LlamaConfig)config;
        if (c.HiddenAct is not ("silu" or "swish"))
            throw new PeftSharpException($"{source}: llama.cpp's {Name} uses SiLU in the MLP; hidden_act '{c.HiddenAct}' would run differently");
        if (Name == "llama" && c.ModelType == "llama" && c.QkvBias != c.OutputBias)
            throw new PeftSharpException($"{source}: attention biases on q/k/v but not on o_proj are not supported for the llama architecture");
        if (c.EffectiveSlidingWindow is { } window && window < c.MaxPositionEmbeddings)
            warn($"{source}: llama.cpp's llama architecture has no sliding window; the GGUF's context length is the window ({window} tokens), within which the model runs exactly");
    }

    public override IEnumerable<KeyValuePair<string, GgufValue>> HyperParameters(ModelConfig config)
    {
        var c = (LlamaConfig)config;
        int context = c.EffectiveSlidingWindow is { } window ? Math.Min(window, c.MaxPositionEmbeddings) : c.MaxPositionEmbeddings;
        yield return Entry(Key("context_length"), GgufValue.Of((uint)context));
        yield return Entry(Key("embedding_length"), GgufValue.Of((uint)c.HiddenSize));
        yield return Entry(Key("feed_forward_length"), GgufValue.Of((uint)c.IntermediateSize));
        yield return Entry(Key("block_count"), GgufValue.Of((uint)c.NumHiddenLayers));
        yield return Entry(Key("attention.head_count"), GgufValue.Of((uint)c.NumAttentionHeads));
        yield return Entry(Key("attention.head_count_kv"), GgufValue.Of((uint)c.KeyValueHeads));
        yield return Entry(Key("attention.layer_norm_rms_epsilon"), GgufValue.Of((float)c.RmsNormEps));
        yield return Entry(Key("rope.freq_base"), GgufValue.Of((float)c.RopeTheta));
        yield return Entry(Key("rope.dimension_count"), GgufValue.Of((uint)c.Dim));
        if (c.Dim * c.NumAttentionHeads != c.HiddenSize)
        {
            yield return Entry(Key("attention.key_length"), GgufValue.Of((uint)c.Dim));
            yield return Entry(Key("attention.value_length"), GgufValue.Of((uint)c.Dim));
        }
        yield return Entry(Key("vocab_size"), GgufValue.Of((uint)c.VocabSize));
        if (c.RopeScaling is { Type: "linear" } linear)
        {
            yield return Entry(Key("rope.scaling.type"), GgufValue.Of("linear"));
            yield return Entry(Key("rope.scaling.factor"), GgufValue.Of((float)linear.Factor));
        }
        if (c.RopeScaling is { Type: "llama3" } llama3) // with rope_freqs; llama.cpp reads this key only for YaRN
            yield return Entry(Key("rope.scaling.original_context_length"), GgufValue.Of((uint)llama3.OriginalMaxPositionEmbeddings));
    }

    public override IReadOnlyList<GgufTensorMap> Tensors(ModelConfig config)
    {
        var c = (LlamaConfig)config;
        int queryHeads = Name == "llama" ? c.NumAttentionHeads : 0, keyHeads = Name == "llama" ? c.KeyValueHeads : 0;
        var maps = new List<GgufTensorMap> { new("model.embed_tokens.weight", "token_embd.weight") };
        for (int i = 0; i < c.NumHiddenLayers; i++)
        {
            string hf = $"model.layers.{i}.", blk = $"blk.{i}.";
            maps.Add(new($"{hf}input_layernorm.weight", $"{blk}attn_norm.weight"));
            foreach (var (module, gguf, heads, bias) in new[]
            {
                ("self_attn.q_proj", "attn_q", queryHeads, c.QkvBias), ("self_attn.k_proj", "attn_k", keyHeads, c.QkvBias),
                ("self_attn.v_proj", "attn_v", 0, c.QkvBias), ("self_attn.o_proj", "attn_output", 0, c.OutputBias),
                ("mlp.gate_proj", "ffn_gate", 0, c.MlpBias), ("mlp.up_proj", "ffn_up", 0, c.MlpBias), ("mlp.down_proj", "ffn_down", 0, c.MlpBias),
            })
            {
                maps.Add(new($"{hf}{module}.weight", $"{blk}{gguf}.weight", RopeHeads: heads));
                if (bias) maps.Add(new($"{hf}{module}.bias", $"{blk}{gguf}.bias", RopeHeads: heads));
            }
            maps.Add(new($"{hf}post_attention_layernorm.weight", $"{blk}ffn_norm.weight"));
        }
        maps.Add(new("model.norm.weight", "output_norm.weight"));
        if (!c.TieWordEmbeddings) maps.Add(new("lm_head.weight", "output.weight"));
        return maps;
    }

    /// <summary>rope_freqs: per frequency, the divisor llama.cpp applies to base^(−2i/d) — PeftSharp's unscaled over scaled frequency.</summary>
    public override IEnumerable<(string Name, float[] Values)> ExtraTensors(ModelConfig config)
    {
        var c = (LlamaConfig)config;
        if (c.RopeFrequencyFactors is { } factors) return [(RopeFreqs, factors)];
        if (c.RopeScaling is not { Type: "llama3" } scaling) return [];
        var unscaled = RotaryEmbedding.UnscaledFrequencies(c);
        var scaled = RotaryEmbedding.Rescale(unscaled, scaling);
        return [(RopeFreqs, unscaled.Zip(scaled, (u, s) => u / s).ToArray())];
    }

    public override ModelConfig ReadConfig(GgufFile file)
    {
        var m = file.Metadata;
        string why = $"a {Name} model needs it";
        int heads = m.RequiredCount(Key("attention.head_count"), why), hidden = m.RequiredCount(Key("embedding_length"), why);
        int headDim = m.Count(Key("attention.key_length")) ?? m.Count(Key("rope.dimension_count")) ?? hidden / Math.Max(1, heads);
        if (m.Count(Key("attention.value_length")) is { } valueLength && valueLength != headDim)
            throw new PeftSharpException($"{m.Source}: key and value heads of different sizes ({headDim}, {valueLength}) are not supported");
        if (m.Count(Key("rope.dimension_count")) is { } rotary && rotary != headDim)
            throw new PeftSharpException($"{m.Source}: rotary embedding on {rotary} of {headDim} head dimensions is not supported");
        bool qkvBias = file.Contains("blk.0.attn_q.bias"), outputBias = file.Contains("blk.0.attn_output.bias");
        if (Name == "llama" && qkvBias != outputBias)
            throw new PeftSharpException($"{m.Source}: attention biases on q/k/v but not on the output (or the reverse) are not supported for the llama architecture");
        var config = new JsonObject
        {
            ["model_type"] = Name,
            ["architectures"] = new JsonArray(Name == "qwen2" ? "Qwen2ForCausalLM" : "LlamaForCausalLM"),
            ["vocab_size"] = VocabularySize(file),
            ["hidden_size"] = hidden,
            ["intermediate_size"] = m.RequiredCount(Key("feed_forward_length"), why),
            ["num_hidden_layers"] = m.RequiredCount(Key("block_count"), why),
            ["num_attention_heads"] = heads,
            ["num_key_value_heads"] = m.Count(Key("attention.head_count_kv")) ?? heads,
            ["head_dim"] = headDim,
            ["max_position_embeddings"] = m.RequiredCount(Key("context_length"), why),
            ["rms_norm_eps"] = m.Number(Key("attention.layer_norm_rms_epsilon")) ?? throw m.Missing(Key("attention.layer_norm_rms_epsilon"), why),
            ["rope_theta"] = m.Number(Key("rope.freq_base")) ?? 10000.0,
            ["hidden_act"] = "silu",
            ["tie_word_embeddings"] = !file.Contains("output.weight"),
            ["mlp_bias"] = file.Contains("blk.0.ffn_up.bias"),
        };
        if (Name == "llama") config["attention_bias"] = qkvBias;
        else if (!qkvBias) throw new PeftSharpException($"{m.Source}: a qwen2 model without q/k/v biases is not supported");
        if (Name == "qwen2") config["sliding_window"] = null;
        switch (m.String(Key("rope.scaling.type")))
        {
            case null or "none": break;
            case "linear":
                config["rope_scaling"] = new JsonObject { ["rope_type"] = "linear", ["factor"] = m.Number(Key("rope.scaling.factor")) ?? throw m.Missing(Key("rope.scaling.factor"), "linear rope scaling needs it") };
                break;
            case var other:
                throw new PeftSharpException($"{m.Source}: rope scaling type '{other}' is not supported (supported: none, linear, and LLaMA-3's rope_freqs)");
        }
        AddSpecialTokens(config, m);
        var parsed = (LlamaConfig)ModelConfig.Parse(config.ToJsonString(), m.Source);
        return file.Contains(RopeFreqs) ? WithRopeFactors(parsed, file) : parsed;
    }

    /// <summary>
    /// A file with rope_freqs: when its divisors are LLaMA-3's scaling with the usual low/high frequency factors (1, 4),
    /// the config says so (and can be saved as HF config.json); otherwise the divisors are kept as they are.
    /// </summary>
    private LlamaConfig WithRopeFactors(LlamaConfig config, GgufFile file)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var factors = file.ReadTensor(RopeFreqs, TorchSharp.torch.ScalarType.Float32).data<float>().ToArray();
        if (factors.Length != config.Dim / 2)
            throw new PeftSharpException($"{file.FilePath}: {RopeFreqs} has {factors.Length} values, the head dimension {config.Dim} needs {config.Dim / 2}");
        var candidate = config with
        {
            RopeScaling = new RopeScaling("llama3", factors.Max(), 1, 4,
                file.Metadata.Count(Key("rope.scaling.original_context_length")) ?? Llama3OriginalContext),
        };
        var expected = ExtraTensors(candidate).Single().Values;
        bool matches = expected.Zip(factors, (e, f) => Math.Abs(e - f) <= 1e-6 * Math.Abs(f)).All(x => x);
        return matches ? candidate : config with { RopeFrequencyFactors = factors };
    }
}
