using System.Text.Json.Nodes;
using PeftSharp.IO;
using PeftSharp.Models;
using PeftSharp.Models.Gpt2;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Models;

/// <summary>Loading from and saving to HF model folders on disk.</summary>
public sealed class PretrainedModelLoaderTests : IDisposable
{
    private readonly string temp = Path.Combine(Path.GetTempPath(), "peftsharp-models-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
    }

    private string CopyFixture(string name)
    {
        var target = Path.Combine(temp, name);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(ModelFixtures.Folder(name)))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        return target;
    }

    private static Tensor Logits(ICausalLanguageModel model)
    {
        using var noGrad = torch.no_grad();
        using var ids = torch.tensor(new long[] { 5, 9, 13, 2, 8 }, [1, 5]);
        return model.Forward(ids);
    }

    [Fact]
    public void A_pytorch_bin_only_folder_says_how_to_convert()
    {
        var dir = CopyFixture("gpt2_original");
        File.Delete(Path.Combine(dir, "model.safetensors"));
        File.WriteAllBytes(Path.Combine(dir, "pytorch_model.bin"), [0x50, 0x4b, 3, 4]);
        var message = Assert.ThrowsAny<PeftSharpException>(() => PretrainedModelLoader.Load(dir)).Message;
        Assert.Contains("pytorch_model.bin", message);
        Assert.Contains("safetensors", message);
    }

    [Fact]
    public void A_folder_without_config_json_is_named()
    {
        var dir = CopyFixture("gpt2_original");
        File.Delete(Path.Combine(dir, "config.json"));
        var message = Assert.ThrowsAny<PeftSharpException>(() => PretrainedModelLoader.Load(dir)).Message;
        Assert.Contains(Path.Combine(dir, "config.json"), message);
        Assert.Contains("not found", Assert.ThrowsAny<PeftSharpException>(() => PretrainedModelLoader.Load(Path.Combine(temp, "nowhere"))).Message);
    }

    [Fact]
    public void Typed_loaders_refuse_the_other_kind_of_model()
    {
        Assert.Contains("not a causal language model",
            Assert.ThrowsAny<PeftSharpException>(() => PretrainedModelLoader.LoadCausalLM(ModelFixtures.Folder("bert_cls"))).Message);
        Assert.Contains("is an encoder, not a causal language model",
            Assert.ThrowsAny<PeftSharpException>(() => PretrainedModelLoader.LoadCausalLM(ModelFixtures.Folder("roberta_cls"))).Message);
    }

    [Theory]
    [InlineData("gpt2_original", "h.0.attn.c_attn.weight", false)]
    [InlineData("gpt2_prefixed_lm_head", "transformer.h.0.attn.c_attn.weight", true)]
    [InlineData("llama3_tied", "model.layers.0.self_attn.q_proj.bias", false)]
    [InlineData("mistral_sharded", "lm_head.weight", true)]
    public void Save_writes_the_layout_it_read_and_reloads_identically(string name, string expectedKey, bool hasLmHead)
    {
        using var model = PretrainedModelLoader.LoadCausalLM(ModelFixtures.Folder(name));
        var target = Path.Combine(temp, "saved");
        PretrainedModelLoader.Save(model, target);
        Assert.Equal(["config.json", "model.safetensors"], Directory.GetFiles(target).Select(Path.GetFileName).Order());
        using (var file = SafetensorsFile.Open(Path.Combine(target, "model.safetensors")))
        {
            Assert.Contains(expectedKey, file.Keys);
            Assert.Equal(hasLmHead, file.Contains("lm_head.weight"));
        }
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(target, "config.json")))!;
        Assert.Equal("float32", config["torch_dtype"]!.GetValue<string>());
        using var reloaded = PretrainedModelLoader.LoadCausalLM(target);
        using var scope = torch.NewDisposeScope();
        Assert.True(Logits(model).allclose(Logits(reloaded), 0, 0));
    }

    [Fact]
    public void A_model_created_from_a_config_saves_in_hf_canonical_layout()
    {
        var config = new Gpt2Config { VocabSize = 40, NEmbd = 16, NLayer = 1, NHead = 2, NPositions = 16 };
        using var model = (ICausalLanguageModel)PretrainedModelLoader.Create(config, seed: 5);
        Assert.True(model.Module.training); // as HF from_config: ready to train (dropout on)
        model.Module.eval();
        var target = Path.Combine(temp, "scratch-gpt2");
        PretrainedModelLoader.Save(model, target);
        using (var file = SafetensorsFile.Open(Path.Combine(target, "model.safetensors")))
        {
            Assert.Contains("transformer.wte.weight", file.Keys);
            Assert.DoesNotContain("lm_head.weight", file.Keys);
        }
        using var reloaded = PretrainedModelLoader.LoadCausalLM(target);
        using var scope = torch.NewDisposeScope();
        Assert.True(Logits(model).allclose(Logits(reloaded), 0, 0));
    }

    [Fact]
    public void Saving_bfloat16_records_the_dtype()
    {
        using var model = PretrainedModelLoader.Load(ModelFixtures.Folder("qwen2_bf16"), ScalarType.BFloat16);
        var target = Path.Combine(temp, "bf16");
        PretrainedModelLoader.Save(model, target);
        Assert.Equal("bfloat16", JsonNode.Parse(File.ReadAllText(Path.Combine(target, "config.json")))!["torch_dtype"]!.GetValue<string>());
        using var file = SafetensorsFile.Open(Path.Combine(target, "model.safetensors"));
        Assert.Equal(ScalarType.BFloat16, file.ReadTensor("model.embed_tokens.weight").dtype);
    }

    [Fact]
    public void A_base_encoder_folder_fine_tunes_with_a_new_head_of_the_requested_size()
    {
        // As roberta-base for MNLI: the checkpoint has no classifier; the task asks for 5 labels.
        var dir = CopyFixture("roberta_cls");
        var weights = Path.Combine(dir, "model.safetensors");
        using (var checkpoint = SafetensorsCheckpoint.Open(dir))
        {
            var kept = checkpoint.Keys.Where(k => !k.StartsWith("classifier.", StringComparison.Ordinal))
                .Select(k => new KeyValuePair<string, Tensor>(k, checkpoint.ReadTensor(k))).ToList();
            checkpoint.Dispose();
            SafetensorsWriter.Write(weights, kept);
        }
        var warnings = new List<string>();
        using var model = PretrainedModelLoader.LoadSequenceClassifier(dir, numLabels: 5, warn: warnings.Add);
        Assert.Equal(5, model.NumLabels);
        Assert.Contains("classifier.out_proj.weight", Assert.Single(warnings));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var logits = model.Forward(torch.tensor(new long[] { 0, 5, 17, 2 }, [1, 4]));
        Assert.Equal([1L, 5L], logits.shape);
        Assert.True(logits.isfinite().all().item<bool>());
        var regression = PretrainedModelLoader.LoadSequenceClassifier(dir, numLabels: 1);
        Assert.Equal("regression", regression.ProblemType);
        regression.Dispose();
    }
}
