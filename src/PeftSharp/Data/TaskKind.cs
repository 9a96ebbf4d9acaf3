namespace PeftSharp.Data;

/// <summary>What a dataset trains: plain causal LM, classification (own labels or GLUE), regression (a numeric label), commonsense QA, or E2E data-to-text.</summary>
public enum TaskKind { CausalLm, Classification, Glue, Commonsense, E2E, Regression }
