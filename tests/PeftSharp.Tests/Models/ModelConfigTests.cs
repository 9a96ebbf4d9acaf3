using System.Text.Json.Nodes;
using PeftSharp.Models;
using PeftSharp.Models.Bert;
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
    }

    [Theory]
    [InlineData("gpt2_original", "n_embd")]
    [InlineData("gpt2_original", "vocab_size")]
    [InlineData("llama_gqa", "num_attention_heads")]
    [InlineData("llama_gqa", "intermediate_size")]
    [InlineData("roberta_cls", "hidden_size")]
    public void Missing_required_field_is_named_with_the_model_type(string fixture, string field)
    {
        var message = Error(Edit(fixture, o => o.Remove(field)));
        Assert.Contains($"missing field '{field}'", message);
        Assert.Contains("/models/x/config.json", message);
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
        Assert.Contains("field 'n_head' must be an integer, got \"four\"", Error(Edit("gpt2_original", o => o["n_head"] = "four")));
        Assert.Contains("field 'n_layer' must be an integer, got 2.5", Error(Edit("gpt2_original", o => o["n_layer"] = 2.5)));
        Assert.Contains("field 'tie_word_embeddings' must be true or false", Error(Edit("llama_gqa", o => o["tie_word_embeddings"] = 1)));
        Assert.Contains("invalid JSON", Error("{\"model_type\": \"gpt2\","));
        Assert.Contains("expected a JSON object", Error("[1, 2]"));
        Assert.Contains("'n_layer' must be positive, got 0", Error(Edit("gpt2_original", o => o["n_layer"] = 0)));
    }

    [Fact]
    public void Unsupported_options_are_rejected_by_name()
    {
        Assert.Contains("rope type 'dynamic' is not supported",
            Error(Edit("llama_gqa", o => o["rope_scaling"] = new JsonObject { ["rope_type"] = "dynamic", ["factor"] = 2.0 })));
        Assert.Contains("missing field 'low_freq_factor'",
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
