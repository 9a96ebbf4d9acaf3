using System.Text;
using System.Text.Json.Nodes;
using PeftSharp.IO;
using PeftSharp.Models;
using PeftSharp.Tests.Workflows;
using PeftSharp.Tuners;
using PeftSharp.Tuners.Lora;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Models;

/// <summary>
/// What loading refuses before it does harm: sizes that would exhaust memory (checked before anything of their size is
/// allocated), weights holding NaN/Inf, weights stored as integers; and its messages stay one readable line.
/// </summary>
public class LoadSafetyTests
{
    /// <summary>The tiny GPT-2 folder with one config.json field replaced.</summary>
    private static string Gpt2With(string field, JsonNode value)
    {
        var model = TinyHfModels.Gpt2();
        var path = Path.Combine(model, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        config[field] = value;
        File.WriteAllText(path, config.ToJsonString());
        return model;
    }

    [Theory]
    [InlineData("n_embd", 100_000L, "has shape [857, 32], the config needs [857, 100000]")]
    [InlineData("n_embd", 1_000_000_000L, "cannot be built: Trying to create tensor with negative dimension")] // 3·n_embd overflows
    [InlineData("vocab_size", 100_000_000L, "has shape [857, 32], the config needs [100000000, 32]")]
    [InlineData("n_positions", 2_147_483_647L, "has shape [64, 32], the config needs [2147483647, 32]")]
    [InlineData("n_layer", 1000L, "the checkpoint lacks")]
    public void Absurd_sizes_in_config_json_are_refused_against_the_checkpoint_before_allocating(string field, long value, string expected)
    {
        var model = Gpt2With(field, value);
        var e = Assert.ThrowsAny<PeftSharpException>(() => PretrainedModelLoader.Load(model));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_model_or_adapter_larger_than_memory_is_refused_with_its_size()
    {
        var config = ModelConfig.Parse("""{"model_type": "gpt2", "vocab_size": 100000000, "n_positions": 64, "n_embd": 100000, "n_layer": 1, "n_head": 2}""");
        var e = Assert.Throws<PeftSharpException>(() => PretrainedModelLoader.Create(config));
        Assert.Contains("a model of these sizes has 10,120,007,900,000 parameters (37,700.0 GiB)", e.Message);
        Assert.Contains("GiB of memory of this machine", e.Message);

        // A head of a billion classes (a label 1e9 in the data) is refused the same way.
        var classifier = Assert.Throws<PeftSharpException>(() => PretrainedModelLoader.LoadSequenceClassifier(TinyHfModels.Gpt2(), numLabels: 1_000_000_001));
        Assert.Contains("number of labels", classifier.Message);

        using var model = PretrainedModelLoader.LoadCausalLM(TinyHfModels.Gpt2());
        var adapter = Assert.Throws<PeftSharpException>(() => PeftModel.Create(model.Module, new LoraConfig { R = 1_000_000_000, TargetModules = TargetModules.AllLinear }));
        Assert.Contains("r = 1000000000", adapter.Message);
        Assert.Contains("GiB of memory of this machine", adapter.Message);
    }

    [Fact]
    public void Non_finite_adapters_and_base_weights_are_refused_naming_the_tensor_unless_allowed()
    {
        var modelFolder = TinyHfModels.Gpt2();
        var adapterFolder = Directory.CreateTempSubdirectory("peft-nan-adapter-").FullName;
        using (var model = PretrainedModelLoader.LoadCausalLM(modelFolder))
        using (var peft = PeftModel.Create(model.Module, new LoraConfig { R = 2, TargetModules = TargetModules.FromNames("c_attn") }))
        {
            using (no_grad()) peft.TrainableParameters()[0].Parameter[0, 0].fill_(float.NaN);
            peft.Save(adapterFolder);
        }
        using (var model = PretrainedModelLoader.LoadCausalLM(modelFolder))
        {
            var e = Assert.Throws<PeftSharpException>(() => AdapterFormat.Load(model.Module, adapterFolder));
            Assert.Contains("tensor 'base_model.model.transformer.h.0.attn.c_attn.lora_A.weight' holds 1 non-finite value(s)", e.Message);
            Assert.Equal(["AllowNonFinite"], e.Remedies);
        }
        using (NonFiniteWeights.Allow())
        using (var model = PretrainedModelLoader.LoadCausalLM(modelFolder))
            AdapterFormat.Load(model.Module, adapterFolder).Dispose();

        var weights = Path.Combine(modelFolder, "model.safetensors");
        Dictionary<string, Tensor> tensors;
        using (var file = SafetensorsFile.Open(weights)) tensors = file.Keys.ToDictionary(k => k, k => file.ReadTensor(k));
        tensors["transformer.ln_f.weight"][3].fill_(float.PositiveInfinity);
        SafetensorsWriter.Write(weights, tensors);
        Assert.Contains("tensor 'transformer.ln_f.weight' holds 1 non-finite value(s)", Assert.Throws<PeftSharpException>(() => PretrainedModelLoader.LoadCausalLM(modelFolder)).Message);
        using (NonFiniteWeights.Allow()) PretrainedModelLoader.LoadCausalLM(modelFolder).Dispose();
    }

    [Fact]
    public void Weights_stored_as_integers_are_refused_not_converted()
    {
        var modelFolder = TinyHfModels.Gpt2();
        var weights = Path.Combine(modelFolder, "model.safetensors");
        Dictionary<string, Tensor> tensors;
        using (var file = SafetensorsFile.Open(weights)) tensors = file.Keys.ToDictionary(k => k, k => file.ReadTensor(k));
        tensors["transformer.ln_f.bias"] = tensors["transformer.ln_f.bias"].to(ScalarType.Int32);
        SafetensorsWriter.Write(weights, tensors);
        var e = Assert.Throws<PeftSharpException>(() => PretrainedModelLoader.LoadCausalLM(modelFolder));
        Assert.Contains("tensor 'transformer.ln_f.bias' is stored as I32, not as floating-point weights", e.Message);
    }

    [Fact]
    public void A_shape_of_thousands_of_dimensions_keeps_the_error_one_short_line()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("peft-shape-").FullName, "model.safetensors");
        var shape = string.Join(", ", Enumerable.Repeat(1, 5000));
        var header = Encoding.UTF8.GetBytes("{\"w\": {\"dtype\": \"F32\", \"shape\": [" + shape + "], \"data_offsets\": [0, 8]}}");
        using (var stream = File.Create(path))
        {
            stream.Write(BitConverter.GetBytes((ulong)header.Length));
            stream.Write(header);
            stream.Write(new byte[8]);
        }
        var e = Assert.Throws<PeftSharpException>(() => SafetensorsFile.Open(path));
        Assert.Contains("(5000 dimensions)", e.Message);
        Assert.True(e.Message.Length < 400, $"{e.Message.Length} characters");
    }
}
