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
}
