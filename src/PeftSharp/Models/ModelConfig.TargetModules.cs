namespace PeftSharp.Models;

public abstract partial record ModelConfig
{
    /// <summary>
    /// The modules LoRA adapts when none are named, per <c>model_type</c> (HF PEFT's
    /// TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING): gpt2 <c>c_attn</c>; llama, mistral, qwen2
    /// <c>q_proj</c>, <c>v_proj</c>; bert, roberta <c>query</c>, <c>value</c>; deberta-v2 <c>query_proj</c>,
    /// <c>value_proj</c>. Names match module-name suffixes. A new array on every call.
    /// </summary>
    /// <exception cref="PeftSharpException">The model type is not one of <see cref="SupportedModelTypes"/>.</exception>
    public static string[] DefaultTargetModules(string modelType) => modelType switch
    {
        "gpt2" => ["c_attn"],
        "llama" or "mistral" or "qwen2" => ["q_proj", "v_proj"],
        "bert" or "roberta" => ["query", "value"],
        "deberta-v2" => ["query_proj", "value_proj"],
        _ => throw new PeftSharpException(
            $"no default LoRA target modules for model_type '{modelType}' (known: {string.Join(", ", SupportedModelTypes)}); name the target modules"),
    };
}
