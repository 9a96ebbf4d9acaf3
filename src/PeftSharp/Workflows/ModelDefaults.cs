namespace PeftSharp.Workflows;

/// <summary>Per-architecture defaults (PEFT's TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING).</summary>
public static class ModelDefaults
{
    public static string[] TargetModules(string modelType) => modelType switch
    {
        "gpt2" => ["c_attn"],
        "llama" or "mistral" or "qwen2" => ["q_proj", "v_proj"],
        "bert" or "roberta" => ["query", "value"],
        "deberta-v2" => ["query_proj", "value_proj"],
        _ => throw new PeftSharpException($"no default target modules for model_type '{modelType}'; give --target-modules"),
    };
}
