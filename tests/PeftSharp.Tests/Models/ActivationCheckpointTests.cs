using PeftSharp.Models;
using PeftSharp.Models.Llama;
using PeftSharp.Training;
using PeftSharp.Tuners;
using PeftSharp.Tuners.Lora;
using TorchSharp;
using static PeftSharp.Tests.Tuners.TestTensors;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Models;

/// <summary>
/// Activation checkpointing recomputes each block in backward and changes nothing else: on every architecture, with
/// dropout active in the blocks and padding in the batch, a training step's loss, every gradient and the random
/// generator's state afterwards equal the plain path's bit for bit (float32), while each block really runs twice.
/// </summary>
public class ActivationCheckpointTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { "gpt2_original", "lora" }, { "gpt2_original", "full" }, { "gpt2_cls", "lora" },
        { "llama_gqa", "lora" }, { "llama_gqa", "full" }, { "llama_cls", "lora" },
        { "bert_cls", "lora" }, { "bert_cls", "full" }, { "roberta_cls", "lora" },
        { "deberta_v3_cls", "lora" }, { "deberta_v3_cls", "full" }, { "deberta_v2_conv_cls", "lora" }, { "deberta_v2_conv_cls", "full" },
    };

    private sealed record StepOutcome(float Loss, Dictionary<string, Tensor> Gradients, Tensor RngAfter, Dictionary<string, int> Calls);

    /// <summary>A fixture model with dropout on (LLaMA's attention dropout too), trained for one step on a padded batch.</summary>
    private static StepOutcome Step(string fixture, string method, bool checkpointing)
    {
        manual_seed(11);
        var folder = ModelFixtures.Folder(fixture);
        var config = PretrainedModelLoader.LoadConfig(folder);
        if (config is LlamaConfig llama) config = llama with { AttentionDropout = 0.2 };
        var model = (PretrainedModel)PretrainedModelLoader.Create(config, seed: 5);
        nn.Module module = model;
        PeftModel? peft = method == "lora"
            ? PeftModel.Create(model, new LoraConfig { R = 2, LoraDropout = 0.1, TargetModules = TargetModules.AllLinear })
            : null;
        var trainable = peft?.TrainableParameters() ?? new FullTrainable(module, _ => { }).TrainableParameters();
        using (no_grad())
            foreach (var t in trainable) t.Parameter.add_(randn_like(t.Parameter) * 0.05); // LoRA's B starts at 0: move it so A has a gradient
        model.GradientCheckpointing = checkpointing;
        model.train();
        var calls = CountCalls(model);

        long batch = 3, seq = 7;
        var ids = randint(3, 60, [batch, seq]);
        var mask = ones(batch, seq, dtype: ScalarType.Int64);
        mask[1, TensorIndex.Slice(5, null)] = 0;                                       // right padding in row 1
        var logits = model switch
        {
            ICausalLanguageModel lm => lm.Forward(ids, mask),
            ISequenceClassificationModel classifier => classifier.Forward(ids, mask),
            _ => throw new InvalidOperationException(),
        };
        var loss = logits.to(ScalarType.Float32).pow(2).mean();
        loss.backward();
        var gradients = trainable.ToDictionary(t => t.Name, t => t.Parameter.grad!.detach().clone());
        return new StepOutcome(loss.item<float>(), gradients, get_rng_state(), calls);
    }

    /// <summary>Counts the calls of every adapted layer by module path (its base layer is called through <c>call</c>, which runs hooks).</summary>
    private static Dictionary<string, int> CountCalls(nn.Module model)
    {
        var calls = new Dictionary<string, int>();
        foreach (var (name, module) in model.named_modules())
            if (module is nn.Module<Tensor, Tensor> layer && name.EndsWith(".base_layer", StringComparison.Ordinal))
            {
                calls[name] = 0;
                layer.register_forward_hook((_, _, output) => { calls[name]++; return output; });
            }
        return calls;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_checkpointed_training_step_equals_the_plain_step_bit_for_bit(string fixture, string method)
    {
        var plain = Step(fixture, method, checkpointing: false);
        var checkpointed = Step(fixture, method, checkpointing: true);

        Assert.Equal(plain.Loss, checkpointed.Loss);
        Assert.Equal(plain.Gradients.Keys.Order(), checkpointed.Gradients.Keys.Order());
        foreach (var (name, gradient) in plain.Gradients)
        {
            Assert.True(gradient.abs().max().item<float>() > 0 || name.Contains("bias"), $"{name} got no gradient");
            AssertClose(gradient, checkpointed.Gradients[name], 0, name);
        }
        AssertClose(plain.RngAfter, checkpointed.RngAfter, 0, "random generator state after the step");
        // Adapted layers inside the blocks ran once more (the recomputation in backward); the rest exactly as often.
        if (method == "lora") Assert.Contains(plain.Calls, c => c.Value > 0 && InBlock(c.Key));
        foreach (var (name, count) in plain.Calls) Assert.Equal(InBlock(name) ? 2 * count : count, checkpointed.Calls[name]);
    }

    private static bool InBlock(string path) => path.Contains(".h.") || path.Contains(".layers.") || path.Contains(".layer.");

    [Fact]
    public void Evaluation_and_no_grad_forward_are_not_checkpointed()
    {
        var model = (PretrainedModel)PretrainedModelLoader.Create(PretrainedModelLoader.LoadConfig(ModelFixtures.Folder("gpt2_original")), seed: 5);
        PeftModel.Create(model, new LoraConfig { R = 2, TargetModules = TargetModules.AllLinear });
        model.GradientCheckpointing = true;
        Assert.True(model.GradientCheckpointing);
        var calls = CountCalls(model);
        var ids = randint(0, 60, [2, 5]);
        model.eval();
        ((ICausalLanguageModel)model).Forward(ids).sum().backward();
        model.train();
        using (no_grad()) ((ICausalLanguageModel)model).Forward(ids);
        Assert.NotEmpty(calls);
        Assert.All(calls.Values, count => Assert.Equal(2, count));
    }
}
