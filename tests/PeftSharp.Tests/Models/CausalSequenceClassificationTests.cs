using System.Text.Json.Nodes;
using PeftSharp.IO;
using PeftSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Models;

/// <summary>GPT-2 / LLaMA-family classifiers: last-real-token pooling, loading from language-model checkpoints, saving.</summary>
public sealed class CausalSequenceClassificationTests : IDisposable
{
    private readonly string temp = Path.Combine(Path.GetTempPath(), "peftsharp-causal-cls-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
    }

    private static Tensor Logits(ISequenceClassificationModel model, long[] ids, long[]? mask = null)
    {
        using var noGrad = torch.no_grad();
        var input = torch.tensor(ids, [1, ids.Length]);
        return model.Forward(input, mask is null ? null : torch.tensor(mask, [1, mask.Length]));
    }

    [Theory]
    [InlineData("gpt2_cls")]
    [InlineData("llama_cls")]
    public void Left_and_right_padding_give_the_logits_of_the_unpadded_sequence(string name)
    {
        using var model = ModelFixtures.LoadClassifier(name);
        using var scope = torch.NewDisposeScope();
        long[] tokens = [7, 19, 3, 41];
        var alone = Logits(model, tokens);                                                  // no mask: last position
        var right = Logits(model, [.. tokens, 5, 5, 5], [1, 1, 1, 1, 0, 0, 0]);
        var left = Logits(model, [5, 5, .. tokens], [0, 0, 1, 1, 1, 1]);
        Assert.True(alone.allclose(right, 1e-5, 1e-5), "right padding");
        Assert.True(alone.allclose(left, 1e-5, 1e-5), "left padding");
        // The last real token is read, not the last position: dropping it changes the result.
        Assert.False(alone.allclose(Logits(model, [.. tokens[..3], 5], [1, 1, 1, 0]), 1e-3, 1e-3));
    }

    [Theory]
    [InlineData("gpt2_original", "transformer.h.0.attn.c_attn.weight")]  // no prefix, attn.bias buffers
    [InlineData("gpt2_prefixed_lm_head", "transformer.h.0.attn.c_attn.weight")] // stored tied lm_head.weight
    [InlineData("llama_gqa", "model.layers.0.self_attn.q_proj.weight")]  // untied lm_head.weight
    [InlineData("mistral_sharded", "model.layers.0.self_attn.q_proj.weight")]
    public void A_language_model_checkpoint_gets_a_new_score_head_and_its_lm_head_is_ignored(string fixture, string bodyWeight)
    {
        var warnings = new List<string>();
        using var model = PretrainedModelLoader.LoadSequenceClassifier(ModelFixtures.Folder(fixture), warn: warnings.Add);
        var warning = Assert.Single(warnings);
        Assert.Contains("1 weight(s) not in the checkpoint were newly initialised", warning);
        Assert.Contains("score.weight", warning);
        Assert.DoesNotContain("lm_head.weight", warning);
        Assert.Equal(2, model.NumLabels);
        Assert.Equal("score", model.ClassifierModuleName);
        Assert.False(model.Module.training);

        var parameters = model.Module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.DoesNotContain(parameters.Keys, k => k.StartsWith("lm_head", StringComparison.Ordinal));
        using var lm = PretrainedModelLoader.LoadCausalLM(ModelFixtures.Folder(fixture));
        using var scope = torch.NewDisposeScope();
        var body = lm.Module.named_parameters().Single(p => p.name == bodyWeight).parameter;
        Assert.True(parameters[bodyWeight].allclose(body, 0, 0));
        // HF init of the new head: normal(0, initializer_range = 0.02), no bias.
        var score = parameters["score.weight"];
        Assert.Equal([2L, lm.Module.named_parameters().First().parameter.shape[1]], score.shape);
        Assert.InRange(score.abs().max().item<float>(), 1e-4, 0.12);
        Assert.DoesNotContain("score.bias", parameters.Keys);
    }

    [Fact]
    public void Num_labels_argument_overrides_the_config_and_one_label_is_regression()
    {
        using var three = PretrainedModelLoader.LoadSequenceClassifier(ModelFixtures.Folder("llama_gqa"), numLabels: 3);
        Assert.Equal((3, "single_label_classification"), (three.NumLabels, three.ProblemType));
        using var regression = PretrainedModelLoader.LoadSequenceClassifier(ModelFixtures.Folder("gpt2_original"), numLabels: 1);
        Assert.Equal((1, "regression"), (regression.NumLabels, regression.ProblemType));
        using var scope = torch.NewDisposeScope();
        Assert.Equal([1L, 1L], Logits(regression, [1, 2, 3]).shape);
        // A saved classifier whose score has another size is a shape error, not a silent re-init.
        var message = Assert.ThrowsAny<PeftSharpException>(() => PretrainedModelLoader.LoadSequenceClassifier(ModelFixtures.Folder("gpt2_cls"), numLabels: 5)).Message;
        Assert.Contains("'score.weight' has shape [3, 16], the config needs [5, 16]", message);
    }

    [Theory]
    [InlineData("gpt2_original", "transformer.h.0.attn.c_attn.weight", "GPT2ForSequenceClassification")]
    [InlineData("llama_gqa", "model.layers.0.self_attn.q_proj.weight", "LlamaForSequenceClassification")]
    [InlineData("mistral_sharded", "model.norm.weight", "MistralForSequenceClassification")]
    public void Save_writes_the_hf_classifier_layout_and_config(string fixture, string bodyKey, string architecture)
    {
        using var model = PretrainedModelLoader.LoadSequenceClassifier(ModelFixtures.Folder(fixture), numLabels: 3);
        var target = Path.Combine(temp, fixture);
        PretrainedModelLoader.Save(model, target);
        using (var file = SafetensorsFile.Open(Path.Combine(target, "model.safetensors")))
        {
            Assert.Contains(bodyKey, file.Keys);
            Assert.Contains("score.weight", file.Keys);
            Assert.DoesNotContain("lm_head.weight", file.Keys);
            Assert.Equal(model.Module.named_parameters().Count(), file.Keys.Count);
        }
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(target, "config.json")))!;
        Assert.Equal(architecture, Assert.Single(config["architectures"]!.AsArray())!.GetValue<string>());
        Assert.Equal(3, config["id2label"]!.AsObject().Count);
        Assert.Equal(2, config["label2id"]!["LABEL_2"]!.GetValue<int>());

        var warnings = new List<string>();
        using var reloaded = PretrainedModelLoader.LoadSequenceClassifier(target, warn: warnings.Add);
        Assert.Empty(warnings);
        using var generic = PretrainedModelLoader.Load(target);
        Assert.IsAssignableFrom<ISequenceClassificationModel>(generic); // architectures picks the head
        using var scope = torch.NewDisposeScope();
        long[] ids = [3, 1, 4, 1, 5];
        Assert.True(Logits(model, ids).allclose(Logits(reloaded, ids), 0, 0));
    }

    [Fact]
    public void A_saved_classifier_folder_loads_as_a_classifier_but_not_as_a_language_model()
    {
        using var generic = PretrainedModelLoader.Load(ModelFixtures.Folder("gpt2_cls"));
        Assert.IsAssignableFrom<ISequenceClassificationModel>(generic);
        // Asked for the language model, the untied-head-free GPT-2 loads (tied) and reports the unused score.
        var warnings = new List<string>();
        using var lm = PretrainedModelLoader.LoadCausalLM(ModelFixtures.Folder("gpt2_cls"), warn: warnings.Add);
        Assert.Contains("score.weight", Assert.Single(warnings));
        // LLaMA's untied lm_head is not in a classifier checkpoint: an error naming it.
        Assert.Contains("lm_head.weight",
            Assert.ThrowsAny<PeftSharpException>(() => PretrainedModelLoader.LoadCausalLM(ModelFixtures.Folder("llama_cls"))).Message);
    }
}
