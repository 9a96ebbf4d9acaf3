namespace PeftSharp.Tuners.Lora2;

/// <summary>
/// Which of LoRA²'s matrices the orthogonal regulariser constrains: the variants of the LoRA² paper's Table 3. The paper
/// writes ΔW = (u v) Λ (𝒰 𝒱) in an (in, out) layout; in PeftSharp's (out, in) layout ΔW = P·diag(λ)·Q with
/// P = B1·A1 and Q = B2·A2, so the paper's pair u, v is Q's factors (B2, A2 — the released code's lora_B, lora_A) and
/// its pair 𝒰, 𝒱 is P's factors (A1, B1 — the released code's lora_aa, lora_bb) (docs/methods.md#lora2).
/// </summary>
public enum Lora2OrthogonalMatrices
{
    /// <summary>P, Q, B1, A1, B2 and A2: six matrices per layer (Table 3 "All", the method).</summary>
    All,
    /// <summary>P and Q only (Table 3 "P&amp;Q").</summary>
    Products,
    /// <summary>B1, A1, B2 and A2, not the products (Table 3 "uv &amp; 𝒰𝒱").</summary>
    Factors,
    /// <summary>B2 and A2, the factors of Q (Table 3 "uv").</summary>
    QFactors,
    /// <summary>B1 and A1, the factors of P (Table 3 "𝒰𝒱").</summary>
    PFactors,
}
