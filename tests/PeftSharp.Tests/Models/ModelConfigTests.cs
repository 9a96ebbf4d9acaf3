using System.Text.Json;
using System.Text.Json.Nodes;
using PeftSharp.Models;
using PeftSharp.Models.Bert;
using PeftSharp.Models.Deberta;
using PeftSharp.Models.Gpt2;
using PeftSharp.Models.Llama;

namespace PeftSharp.Tests.Models;

public class ModelConfigTests
{
    private static string FixtureConfig(string name) => File.ReadAllText(Path.Combine(ModelFixtures.Folder(name), "config.json"));

    private static string Edit(string name, Action<JsonObject> edit)
    {
        var o = JsonNode.Parse(FixtureConfig(name))!.AsObject();
        edit(o);
        return o.ToJsonString();
    }

    private static T Parse<T>(string fixture, Action<JsonObject> edit) where T : ModelConfig => Assert.IsType<T>(ModelConfig.Parse(Edit(fixture, edit)));

    private static JsonObject Written(ModelConfig config) => JsonNode.Parse(config.ToJson())!.AsObject();

    private static string Error(string json) => Assert.ThrowsAny<PeftSharpException>(() => ModelConfig.Parse(json, "/models/x/config.json")).Message;

    [Fact]
    public void Unknown_model_type_lists_the_supported_ones()
    {
        var message = Error(Edit("gpt2_original", o => o["model_type"] = "t5"));
        Assert.Contains("/models/x/config.json", message);
        Assert.Contains("unknown model_type 't5'", message);
        Assert.Contains("bert, deberta-v2, gpt2, llama, mistral, qwen2, roberta", message);
    }

    [Fact]
    public void Missing_model_type_is_named()
    {
        Assert.Contains("missing field 'model_type'", Error(Edit("gpt2_original", o => o.Remove("model_type"))));
        Assert.Equal("/models/x/config.json: field 'model_type': expected a string, got 2", Error(Edit("gpt2_original", o => o["model_type"] = 2)));
    }

    [Theory]
    [InlineData("gpt2_original", "n_embd", "gpt2")]
    [InlineData("gpt2_original", "vocab_size", "gpt2")]
    [InlineData("llama_gqa", "num_attention_heads", "llama")]
    [InlineData("llama_gqa", "intermediate_size", "llama")]
    [InlineData("roberta_cls", "hidden_size", "roberta")]
    [InlineData("deberta_v3_cls", "num_hidden_layers", "deberta-v2")]
    public void Missing_required_field_is_named_with_the_model_type(string fixture, string field, string modelType)
    {
        var expected = $"/models/x/config.json: missing field '{field}' (required for model_type '{modelType}')";
        Assert.Equal(expected, Error(Edit(fixture, o => o.Remove(field))));
        Assert.Equal(expected, Error(Edit(fixture, o => o[field] = null))); // null counts as absent
    }

    [Theory]
    [InlineData("gpt2_original", "n_embd", 30, "'n_embd' (30) must be divisible by 'n_head' (4)")]
    [InlineData("roberta_cls", "hidden_size", 18, "'hidden_size' (18) must be divisible by 'num_attention_heads' (4)")]
    [InlineData("mistral_sharded", "hidden_size", 30, "'hidden_size' (30) must be divisible by 'num_attention_heads' (4)")]
    [InlineData("llama_gqa", "num_key_value_heads", 3, "'num_attention_heads' (4) must be divisible by 'num_key_value_heads' (3)")]
    public void Inconsistent_sizes_name_both_fields(string fixture, string field, int value, string expected)
    {
        Assert.Contains(expected, Error(Edit(fixture, o => o[field] = value)));
    }

    [Fact]
    public void Explicit_head_dim_lifts_the_divisibility_requirement()
    {
        var config = (LlamaConfig)ModelConfig.Parse(Edit("llama_gqa", o => o["hidden_size"] = 18));
        Assert.Equal(8, config.Dim);
    }

    [Fact]
    public void Wrong_field_types_and_invalid_json_are_named()
    {
        Assert.Equal("/models/x/config.json: field 'n_head': expected an integer, got \"four\"", Error(Edit("gpt2_original", o => o["n_head"] = "four")));
        Assert.Equal("/models/x/config.json: field 'n_layer': expected an integer, got 2.5", Error(Edit("gpt2_original", o => o["n_layer"] = 2.5)));
        Assert.Equal("/models/x/config.json: field 'tie_word_embeddings': expected true or false, got 1", Error(Edit("llama_gqa", o => o["tie_word_embeddings"] = 1)));
        Assert.Equal("/models/x/config.json: field 'hidden_act': expected a string, got [\"silu\"]", Error(Edit("llama_gqa", o => o["hidden_act"] = new JsonArray("silu"))));
        Assert.Equal("/models/x/config.json: field 'layer_norm_eps': expected a number, got \"1e-5\"", Error(Edit("roberta_cls", o => o["layer_norm_eps"] = "1e-5")));
        Assert.Contains("invalid JSON", Error("{\"model_type\": \"gpt2\","));
        Assert.Contains("expected a JSON object", Error("[1, 2]"));
        Assert.Contains("'n_layer' must be positive, got 0", Error(Edit("gpt2_original", o => o["n_layer"] = 0)));
    }

    [Fact]
    public void Unsupported_options_are_rejected_by_name()
    {
        Assert.Equal("/models/x/config.json: field 'rope_scaling.rope_type': expected one of llama3, linear, default, got \"dynamic\"",
            Error(Edit("llama_gqa", o => o["rope_scaling"] = new JsonObject { ["rope_type"] = "dynamic", ["factor"] = 2.0 })));
        Assert.Equal("/models/x/config.json: missing field 'rope_scaling.low_freq_factor' (required for rope_type 'llama3')",
            Error(Edit("llama_gqa", o => o["rope_scaling"] = new JsonObject { ["rope_type"] = "llama3", ["factor"] = 8.0 })));
        Assert.Contains("'activation_function' 'mish' is not supported", Error(Edit("gpt2_original", o => o["activation_function"] = "mish")));
        Assert.Contains("'position_embedding_type' 'relative_key' is not supported",
            Error(Edit("bert_cls", o => o["position_embedding_type"] = "relative_key")));
        Assert.Contains("'use_sliding_window' true is not supported", Error(Edit("qwen2_bf16", o => o["use_sliding_window"] = true)));
    }

    [Fact]
    public void Fixture_configs_parse_to_the_expected_values()
    {
        var gpt2 = Assert.IsType<Gpt2Config>(ModelConfig.Parse(FixtureConfig("gpt2_original")));
        Assert.Equal((64, 16, 2, 4, 64, 24), (gpt2.VocabSize, gpt2.NEmbd, gpt2.NLayer, gpt2.NHead, gpt2.Inner, gpt2.NPositions));
        Assert.Equal([63], gpt2.EosTokenIds);

        var llama3 = Assert.IsType<LlamaConfig>(ModelConfig.Parse(FixtureConfig("llama3_tied")));
        Assert.Equal(new RopeScaling("llama3", 8, 1, 4, 64), llama3.RopeScaling);
        Assert.Equal([2, 3], llama3.EosTokenIds);
        Assert.True(llama3.TieWordEmbeddings && llama3.QkvBias && llama3.OutputBias);
        Assert.Equal(2, llama3.KeyValueHeads);

        var qwen = Assert.IsType<LlamaConfig>(ModelConfig.Parse(FixtureConfig("qwen2_bf16")));
        Assert.Equal("qwen2", qwen.ModelType);
        Assert.True(qwen.QkvBias);
        Assert.False(qwen.OutputBias);
        Assert.Null(qwen.EffectiveSlidingWindow);

        var mistral = Assert.IsType<LlamaConfig>(ModelConfig.Parse(FixtureConfig("mistral_sharded")));
        Assert.Equal(4, mistral.EffectiveSlidingWindow);
        Assert.Equal(8, mistral.Dim);

        var roberta = Assert.IsType<BertConfig>(ModelConfig.Parse(FixtureConfig("roberta_cls")));
        Assert.Equal((3, 1, "positive"), (roberta.NumLabels, roberta.PadTokenId, roberta.Id2Label![2]));
        Assert.Equal("single_label_classification", roberta.EffectiveProblemType);

        var bert = Assert.IsType<BertConfig>(ModelConfig.Parse(FixtureConfig("bert_cls")));
        Assert.Equal((1, "regression"), (bert.NumLabels, bert.EffectiveProblemType));

        var gpt2Classifier = Assert.IsType<Gpt2Config>(ModelConfig.Parse(FixtureConfig("gpt2_cls")));
        Assert.Equal((3, "c", 62), (gpt2Classifier.NumLabels, gpt2Classifier.Id2Label![2], gpt2Classifier.PadTokenId));
        var llamaClassifier = Assert.IsType<LlamaConfig>(ModelConfig.Parse(FixtureConfig("llama_cls")));
        Assert.Equal((4, null, "single_label_classification"), (llamaClassifier.NumLabels, llamaClassifier.Id2Label, llamaClassifier.EffectiveProblemType));
        Assert.Equal(2, gpt2.NumLabels); // HF's default for a config without labels
    }

    [Fact]
    public void Num_labels_comes_from_id2label_then_num_labels_then_defaults_to_2()
    {
        var withoutLabels = Edit("roberta_cls", o => { o.Remove("id2label"); o.Remove("label2id"); });
        Assert.Equal(2, ((BertConfig)ModelConfig.Parse(withoutLabels)).NumLabels);
        var explicitCount = Edit("roberta_cls", o => { o.Remove("id2label"); o["num_labels"] = 5; });
        Assert.Equal(5, ((BertConfig)ModelConfig.Parse(explicitCount)).NumLabels);
        Assert.Contains("label 1 is missing", Error(Edit("roberta_cls", o => o["id2label"] = new JsonObject { ["0"] = "a", ["2"] = "b" })));
    }

    [Fact]
    public void ToJson_round_trips_and_keeps_fields_it_does_not_use()
    {
        foreach (var name in ModelFixtures.CausalCases.Concat(["roberta_cls", "bert_cls", "gpt2_cls", "llama_cls", "deberta_v3_cls", "deberta_v2_conv_cls"]))
        {
            var config = ModelConfig.Parse(FixtureConfig(name));
            var json = config.ToJson();
            var again = ModelConfig.Parse(json);
            Assert.Equal(json, again.ToJson());
            // every field PeftSharp reads survives the trip (compared without the preserved source fields)
            Assert.Equal((config with { SourceJson = null }).ToJson(), (again with { SourceJson = null }).ToJson());
        }
        var gpt2 = JsonNode.Parse(ModelConfig.Parse(FixtureConfig("gpt2_original")).ToJson())!;
        Assert.Equal("cls_index", gpt2["summary_type"]!.GetValue<string>());
        Assert.Null(gpt2["id2label"]); // a language model's config stays free of classifier fields
    }

    [Fact]
    public void A_config_built_in_code_serialises_with_hf_names()
    {
        var config = new Gpt2Config { VocabSize = 100, NEmbd = 32, NLayer = 2, NHead = 4, NPositions = 64 };
        var json = JsonNode.Parse(config.ToJson())!;
        Assert.Equal("gpt2", json["model_type"]!.GetValue<string>());
        Assert.Equal(32, json["n_embd"]!.GetValue<int>());
        Assert.Equal(50256, json["eos_token_id"]!.GetValue<int>());
        Assert.Equal(config.ToJson(), (ModelConfig.Parse(config.ToJson()) with { SourceJson = null }).ToJson());
        Assert.Contains("'n_embd' (30) must be divisible by 'n_head' (4)",
            Assert.ThrowsAny<PeftSharpException>(() => (config with { NEmbd = 30 }).Validate()).Message);
    }

    [Fact]
    public void A_json_null_counts_as_absent()
    {
        var gpt2 = Parse<Gpt2Config>("gpt2_original", o => { o["n_inner"] = null; o["bos_token_id"] = null; o["eos_token_id"] = null; });
        Assert.Equal((null, 64, 50256), (gpt2.NInner, gpt2.Inner, gpt2.BosTokenId));
        Assert.Equal([50256], gpt2.EosTokenIds);
    }

    [Fact]
    public void Eos_token_id_is_one_id_or_a_list_and_is_written_back_the_same_way()
    {
        Assert.Equal([5], Parse<LlamaConfig>("llama_gqa", o => o["eos_token_id"] = 5).EosTokenIds);
        Assert.Equal([5, 6], Parse<LlamaConfig>("llama_gqa", o => o["eos_token_id"] = new JsonArray(5, 6)).EosTokenIds);
        Assert.Equal("/models/x/config.json: field 'eos_token_id': expected an integer or a list of integers, got [5,\"6\"]",
            Error(Edit("llama_gqa", o => o["eos_token_id"] = new JsonArray(5, "6"))));
        Assert.Equal("/models/x/config.json: field 'eos_token_id': expected an integer or a list of integers, got \"2\"",
            Error(Edit("llama_gqa", o => o["eos_token_id"] = "2")));
        Assert.Equal(7, Written(new Gpt2Config { EosTokenIds = [7] })["eos_token_id"]!.GetValue<int>());
        Assert.Equal([7, 8], Written(new Gpt2Config { EosTokenIds = [7, 8] })["eos_token_id"]!.AsArray().Select(n => n!.GetValue<int>()));
    }

    [Fact]
    public void Id2label_keys_are_label_indices_and_id2label_decides_num_labels()
    {
        var config = Parse<BertConfig>("roberta_cls", o => { o["id2label"] = new JsonObject { ["1"] = "b", ["0"] = "a" }; o["num_labels"] = 5; });
        Assert.Equal((2, "a", "b"), (config.NumLabels, config.Id2Label![0], config.Id2Label[1]));
        Assert.Equal("7", Parse<BertConfig>("roberta_cls", o => o["id2label"] = new JsonObject { ["0"] = 7 }).Id2Label![0]); // HF keeps any value
        Assert.Equal("/models/x/config.json: field 'id2label': expected label indices (0, 1, …) as keys, not 'a', got {\"0\":\"x\",\"a\":\"y\"}",
            Error(Edit("roberta_cls", o => o["id2label"] = new JsonObject { ["0"] = "x", ["a"] = "y" })));
        Assert.Equal("/models/x/config.json: field 'id2label': expected label indices (0, 1, …) as keys, not '-1', got {\"-1\":\"x\"}",
            Error(Edit("roberta_cls", o => o["id2label"] = new JsonObject { ["-1"] = "x" })));
        Assert.Equal("/models/x/config.json: field 'id2label': expected each label index once, not '00' again, got {\"0\":\"x\",\"00\":\"y\"}",
            Error(Edit("roberta_cls", o => o["id2label"] = new JsonObject { ["0"] = "x", ["00"] = "y" })));
        Assert.Equal("/models/x/config.json: field 'id2label': expected an object whose keys are label indices (0, 1, …), got [\"x\"]",
            Error(Edit("roberta_cls", o => o["id2label"] = new JsonArray("x"))));
        Assert.Equal("/models/x/config.json: 'id2label' must number its labels 0..1, label 1 is missing",
            Error(Edit("roberta_cls", o => o["id2label"] = new JsonObject { ["0"] = "a", ["2"] = "b" })));
    }

    [Fact]
    public void Rope_scaling_takes_rope_type_or_the_older_type_and_default_means_none()
    {
        LlamaConfig With(JsonObject scaling) => Parse<LlamaConfig>("llama_gqa", o => o["rope_scaling"] = scaling);
        Assert.Equal(new RopeScaling("linear", 2), With(new JsonObject { ["type"] = "linear", ["factor"] = 2.0 }).RopeScaling);
        Assert.Equal(new RopeScaling("linear", 2), With(new JsonObject { ["rope_type"] = "linear", ["type"] = "yarn", ["factor"] = 2.0, ["finetuned"] = true }).RopeScaling);
        Assert.Null(With(new JsonObject { ["rope_type"] = "default" }).RopeScaling);
        Assert.Null(With(new JsonObject { ["type"] = "default", ["factor"] = null }).RopeScaling);
        Assert.Equal("/models/x/config.json: missing field 'rope_scaling.rope_type'",
            Error(Edit("llama_gqa", o => o["rope_scaling"] = new JsonObject { ["factor"] = 2.0 })));
        Assert.Equal("/models/x/config.json: field 'rope_scaling.type': expected one of llama3, linear, default, got \"yarn\"",
            Error(Edit("llama_gqa", o => o["rope_scaling"] = new JsonObject { ["type"] = "yarn", ["factor"] = 2.0 })));
        Assert.Equal("/models/x/config.json: field 'rope_scaling.factor': expected a number, got \"8\"",
            Error(Edit("llama_gqa", o => o["rope_scaling"] = new JsonObject { ["rope_type"] = "linear", ["factor"] = "8" })));
        Assert.Equal("/models/x/config.json: missing field 'rope_scaling.factor' (required for rope_type 'linear')",
            Error(Edit("llama_gqa", o => o["rope_scaling"] = new JsonObject { ["rope_type"] = "linear" })));
        Assert.Equal("/models/x/config.json: field 'rope_scaling': expected an object, got 8",
            Error(Edit("llama_gqa", o => o["rope_scaling"] = 8)));
        var llama3 = new LlamaConfig { RopeScaling = new RopeScaling("llama3", 8) };
        Assert.Equal(["factor", "high_freq_factor", "low_freq_factor", "original_max_position_embeddings", "rope_type"],
            Written(llama3)["rope_scaling"]!.AsObject().Select(p => p.Key)); // sorted at every level, as HF writes config.json
        Assert.Equal(llama3.RopeScaling, ((LlamaConfig)ModelConfig.Parse(llama3.ToJson())).RopeScaling);
    }

    [Fact]
    public void Mistral_s_sliding_window_is_4096_when_absent_and_off_when_null()
    {
        Assert.Equal(4, Parse<LlamaConfig>("mistral_sharded", _ => { }).EffectiveSlidingWindow);
        Assert.Equal(4096, Parse<LlamaConfig>("mistral_sharded", o => o.Remove("sliding_window")).EffectiveSlidingWindow);
        var off = Parse<LlamaConfig>("mistral_sharded", o => o["sliding_window"] = null);
        Assert.Null(off.EffectiveSlidingWindow);
        Assert.Null(((LlamaConfig)ModelConfig.Parse(off.ToJson())).EffectiveSlidingWindow); // written as null, so it stays off
        Assert.Null(Parse<LlamaConfig>("qwen2_bf16", o => o.Remove("sliding_window")).SlidingWindow);
        Assert.Null(Parse<LlamaConfig>("llama_gqa", _ => { }).SlidingWindow);
    }

    [Theory]
    [InlineData("llama_gqa", 2048)]
    [InlineData("mistral_sharded", 32768)]
    [InlineData("qwen2_bf16", 32768)]
    public void Max_position_embeddings_defaults_as_in_hf_s_config_class_for_the_model_type(string fixture, int expected)
    {
        Assert.Equal(expected, Parse<LlamaConfig>(fixture, o => o.Remove("max_position_embeddings")).MaxPositionEmbeddings);
        Assert.Equal(expected, Parse<LlamaConfig>(fixture, o => o["max_position_embeddings"] = null).MaxPositionEmbeddings);
    }

    [Fact]
    public void Roberta_s_pad_token_id_defaults_to_1_and_bert_s_to_0()
    {
        Assert.Equal(1, Parse<BertConfig>("roberta_cls", o => o.Remove("pad_token_id")).PadTokenId);
        Assert.Equal(1, Parse<BertConfig>("roberta_cls", o => o["pad_token_id"] = null).PadTokenId);
        Assert.Equal(0, Parse<BertConfig>("bert_cls", o => o.Remove("pad_token_id")).PadTokenId);
    }

    [Fact]
    public void Config_json_has_the_fields_of_hf_s_config_class_for_the_model_type()
    {
        var llama = Written(new LlamaConfig());
        Assert.Equal((false, false, false, true), (llama.ContainsKey("sliding_window"), llama.ContainsKey("use_sliding_window"), llama.ContainsKey("head_dim"), llama.ContainsKey("mlp_bias")));
        Assert.Equal(32, llama["num_key_value_heads"]!.GetValue<int>()); // spelled out when null
        var mistral = Written(new LlamaConfig { ModelType = "mistral" });
        Assert.Equal((true, false, true), (mistral.ContainsKey("sliding_window"), mistral.ContainsKey("mlp_bias"), mistral.ContainsKey("attention_bias")));
        var qwen = Written(new LlamaConfig { ModelType = "qwen2", HeadDim = 8 });
        Assert.Equal((true, false, 8), (qwen.ContainsKey("use_sliding_window"), qwen.ContainsKey("attention_bias"), qwen["head_dim"]!.GetValue<int>()));
        Assert.Equal("MistralForCausalLM", mistral["architectures"]![0]!.GetValue<string>());
        // a field the model type does not have stays as the source file had it
        Assert.Equal(9, Written(ModelConfig.Parse(Edit("llama_gqa", o => o["sliding_window"] = 9)))["sliding_window"]!.GetValue<int>());

        var deberta = Written(new DebertaV2Config());
        Assert.DoesNotContain(deberta, p => p.Key is "conv_kernel_size" or "conv_groups" or "conv_act" or "attention_head_size" or "embedding_size");
        Assert.Equal(1536, deberta["pooler_hidden_size"]!.GetValue<int>());
        var conv = Written(new DebertaV2Config { ConvKernelSize = 3, EmbeddingSize = 128 });
        Assert.Equal((3, "tanh", 128), (conv["conv_kernel_size"]!.GetValue<int>(), conv["conv_act"]!.GetValue<string>(), conv["embedding_size"]!.GetValue<int>()));

        var gpt2 = Written(new Gpt2Config { NPositions = 64 });
        Assert.Equal((64, false, JsonValueKind.Null), (gpt2["n_ctx"]!.GetValue<int>(), gpt2.ContainsKey("num_labels"), gpt2["n_inner"]?.GetValueKind() ?? JsonValueKind.Null));
        Assert.True(gpt2.ContainsKey("n_inner")); // HF writes the null
        Assert.Equal("RobertaForSequenceClassification", Written(new BertConfig { ModelType = "roberta", PadTokenId = 1 })["architectures"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("gpt2_original", "c_attn")]
    [InlineData("llama_gqa", "q_proj,v_proj")]
    [InlineData("mistral_sharded", "q_proj,v_proj")]
    [InlineData("qwen2_bf16", "q_proj,v_proj")]
    [InlineData("bert_cls", "query,value")]
    [InlineData("roberta_cls", "query,value")]
    [InlineData("deberta_v3_cls", "query_proj,value_proj")]
    public void Default_lora_targets_are_peft_s_and_name_modules_of_the_model(string fixture, string targets)
    {
        using var model = PretrainedModelLoader.Load(ModelFixtures.Folder(fixture));
        var defaults = ModelConfig.DefaultTargetModules(model.ModelType);
        Assert.Equal(targets.Split(','), defaults);
        var names = model.Module.named_modules().Select(m => m.name).ToList();
        // every fixture has two layers: one module per layer and target
        Assert.All(defaults, target => Assert.Equal(2, names.Count(n => n.EndsWith("." + target, StringComparison.Ordinal))));
        defaults[0] = "changed";
        Assert.NotEqual("changed", ModelConfig.DefaultTargetModules(model.ModelType)[0]);
        Assert.Equal(ModelConfig.SupportedModelTypes.Count, ModelConfig.SupportedModelTypes.Count(t => ModelConfig.DefaultTargetModules(t).Length > 0));
        Assert.Contains("no default LoRA target modules for model_type 't5'", Assert.ThrowsAny<PeftSharpException>(() => ModelConfig.DefaultTargetModules("t5")).Message);
    }
}
