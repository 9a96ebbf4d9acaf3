namespace PeftSharp.Data;

/// <summary>One generation case: the prompt ids and the acceptable outputs.</summary>
public sealed record GenerationCase(int[] PromptIds, IReadOnlyList<string> References);
