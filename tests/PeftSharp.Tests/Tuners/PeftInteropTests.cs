using System.Text.Json;
using System.Text.Json.Nodes;
using PeftSharp.IO;
using PeftSharp.Models;
using PeftSharp.Tests.Models;
using PeftSharp.Tuners;
using PeftSharp.Workflows;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Tuners;

/// <summary>
/// Adapters in the layout HF PEFT 0.20 writes (fixtures made by tools/golden/adapters/make_peft_interop_fixtures.py from
/// PEFT's source: its key names and every config field) load and compute what merging them by hand computes, and
/// PeftSharp saves them back with the keys and fields PEFT reads.
/// </summary>
public class PeftInteropTests
{
    private static string Folder(string name) => Fixtures.PathOf("adapters", "peft", name);

    private static JsonElement Expected(string name) => JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(name), "expected.json"))).RootElement;

    public static TheoryData<string> Classifiers => new(
        "roberta_seq_cls_bias_all", "bert_seq_cls_lora_bias_layer_1", "deberta_seq_cls_lora_only", "deberta_seq_cls_lora_only_peft_0_20");

    public static TheoryData<string> CausalLms => new("gpt2_layers_pattern_lora_bias", "llama_layer_0");

    private static float[] ClassifierLogits(ISequenceClassificationModel model, JsonElement e)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var types = e.TryGetProperty("token_type_ids", out var t) ? ModelFixtures.Tensor2D(t) : null;
        return model.Forward(ModelFixtures.Tensor2D(e.GetProperty("input_ids")), ModelFixtures.Tensor2D(e.GetProperty("attention_mask")), types).data<float>().ToArray();
    }

    private static void AssertLogits(float[] actual, JsonElement e, string what)
    {
        var diff = ModelFixtures.MaxAbsDifference(actual, ModelFixtures.Floats(e.GetProperty("logits")));
        Assert.True(diff <= 1e-4, $"{what}: max |Δlogit| = {diff}");
    }

    [Theory]
    [MemberData(nameof(Classifiers))]
    public void PEFT_sequence_classification_adapters_load_and_match_merging_by_hand(string name)
    {
        var e = Expected(name);
        var warnings = new List<string>();
        using var session = ModelSession.Open(ModelFixtures.Folder(e.GetProperty("model").GetString()!), Folder(name), null, ScalarType.Float32, CPU, warnings.Add);
        // PEFT lists both heads ("classifier", "score"); the absent one is skipped, the present one replaced by the trained head.
        Assert.Equal(["classifier", "score"], session.Peft!.ActiveConfig.ModulesToSave!);
        var model = (ISequenceClassificationModel)session.Model;
        AssertLogits(ClassifierLogits(model, e), e, name);
        session.Peft.Merge(); // lora_bias goes into the base bias
        AssertLogits(ClassifierLogits(model, e), e, name + " merged");
        // Every field PEFT 0.20 writes passes silently; only the bias-less lora_only file of PEFT 0.20 is worth a word.
        if (name.EndsWith("peft_0_20", StringComparison.Ordinal))
            Assert.Contains("lora_only", Assert.Single(warnings));
        else
            Assert.Empty(warnings);
    }

    [Theory]
    [MemberData(nameof(CausalLms))]
    public void Causal_PEFT_adapters_adapt_exactly_the_layers_named_by_layers_to_transform(string name)
    {
        var e = Expected(name);
        var warnings = new List<string>();
        using var model = PretrainedModelLoader.LoadCausalLM(ModelFixtures.Folder(e.GetProperty("model").GetString()!));
        using var peft = PeftModel.Load(model.Module, Folder(name), warn: warnings.Add);
        Assert.Empty(warnings);
        using (var file = SafetensorsFile.Open(Path.Combine(Folder(name), AdapterFormat.WeightsFileName)))
        {
            var saved = file.Keys.Where(k => k.EndsWith(".lora_A.weight", StringComparison.Ordinal))
                .Select(k => k["base_model.model.".Length..^".lora_A.weight".Length]);
            Assert.Equal(saved.Order(), peft.Layers.Keys.Order());
        }
        foreach (var merged in new[] { false, true })
        {
            if (merged) peft.Merge();
            foreach (var c in e.GetProperty("cases").EnumerateArray())
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var logits = model.Forward(ModelFixtures.Tensor2D(c.GetProperty("input_ids")), ModelFixtures.Tensor2D(c.GetProperty("attention_mask")));
                var mask = ModelFixtures.Ints2D(c.GetProperty("attention_mask")).SelectMany(r => r).ToArray();
                var vocab = (int)logits.shape[^1];
                var diff = ModelFixtures.MaxAbsDifference(logits.data<float>().ToArray(), ModelFixtures.Floats(c.GetProperty("logits")), i => mask[i / vocab] == 1);
                Assert.True(diff <= 1e-4, $"{name} {c.GetProperty("name")} merged={merged}: max |Δlogit| = {diff}");
            }
        }
    }

    /// <summary>The folder whose keys PEFT writes for what PeftSharp saves (PEFT 0.20's lora_only file lacks the biases PEFT reads).</summary>
    private static string KeyReference(string name) => name == "deberta_seq_cls_lora_only_peft_0_20" ? "deberta_seq_cls_lora_only" : name;

    [Theory]
    [MemberData(nameof(Classifiers))]
    [MemberData(nameof(CausalLms))]
    public void Saved_again_a_PEFT_adapter_has_PEFTs_keys_tensors_and_config_fields(string name)
    {
        var e = Expected(name);
        var modelFolder = ModelFixtures.Folder(e.GetProperty("model").GetString()!);
        var output = Directory.CreateTempSubdirectory("peft-interop-").FullName;
        using (var session = ModelSession.Open(modelFolder, Folder(name), null, ScalarType.Float32, CPU, _ => { }))
            session.Peft!.Save(output);

        using var reference = SafetensorsFile.Open(Path.Combine(Folder(KeyReference(name)), AdapterFormat.WeightsFileName));
        using var original = SafetensorsFile.Open(Path.Combine(Folder(name), AdapterFormat.WeightsFileName));
        using var saved = SafetensorsFile.Open(Path.Combine(output, AdapterFormat.WeightsFileName));
        // PEFT 0.20 also writes its modules_to_save wrapper's copies with bias = "all"; they hold nothing the head's own keys do not.
        var expectedKeys = reference.Keys.Where(k => !k.Contains(".original_module.", StringComparison.Ordinal) && !k.Contains(".modules_to_save.", StringComparison.Ordinal));
        Assert.Equal(expectedKeys.Order(), saved.Keys.Order());
        using var scope = NewDisposeScope();
        foreach (var key in saved.Keys.Where(original.Contains))
            Assert.True(original.ReadTensor(key).equal(saved.ReadTensor(key)).all().item<bool>(), key);

        var peftConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder(name), AdapterConfigFile.FileName)))!.AsObject();
        var ours = JsonNode.Parse(File.ReadAllText(Path.Combine(output, AdapterConfigFile.FileName)))!.AsObject();
        Assert.All(ours.Select(p => p.Key), key => Assert.True(peftConfig.ContainsKey(key), $"'{key}' is not a field of PEFT's LoraConfig"));
        foreach (var field in new[] { "peft_type", "task_type", "r", "lora_alpha", "use_rslora", "bias", "lora_bias", "fan_in_fan_out", "lora_dropout" })
            Assert.True(JsonNode.DeepEquals(peftConfig[field], ours[field]), $"{field}: PEFT {peftConfig[field]?.ToJsonString()}, PeftSharp {ours[field]?.ToJsonString()}");
        foreach (var field in new[] { "target_modules", "modules_to_save", "layers_to_transform", "layers_pattern" })
            Assert.Equal(AsSet(peftConfig[field]), AsSet(ours[field]));
    }

    /// <summary>A field PEFT writes as one value or a list, as a sorted list of its items' JSON ("null" when absent).</summary>
    private static string AsSet(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray a => string.Join(",", a.Select(v => v!.ToJsonString()).Order()),
        _ => node.ToJsonString(),
    };
}
