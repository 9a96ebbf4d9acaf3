using TorchSharp;

namespace PeftSharp.Models;

/// <summary>A model built from a HuggingFace config, whose parameter names equal HF's.</summary>
public interface IPretrainedModel : IDisposable
{
    /// <summary>HF's <c>model_type</c> (gpt2, llama, mistral, qwen2, bert, roberta, deberta-v2).</summary>
    string ModelType { get; }

    /// <summary>The configuration the model was built from.</summary>
    ModelConfig Config { get; }

    /// <summary>The model as a TorchSharp module: <c>named_parameters()</c>, <c>train()</c>, <c>to()</c>, …</summary>
    torch.nn.Module Module { get; }

    /// <summary>
    /// Activation checkpointing (HF's <c>gradient_checkpointing_enable()</c>): while training, each transformer block keeps
    /// only its input and recomputes its activations in backward — far less memory for one more forward pass per step,
    /// the same gradients bit for bit. Off by default; evaluation and generation are unaffected. PeftSharp's architectures
    /// support it; a model of your own that has no transformer blocks refuses it.
    /// </summary>
    bool GradientCheckpointing
    {
        get => false;
        set { if (value) throw new PeftSharpException($"{GetType().Name} has no transformer blocks to checkpoint"); }
    }
}
