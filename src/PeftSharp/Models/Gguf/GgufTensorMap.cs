using static TorchSharp.torch;

namespace PeftSharp.Models.Gguf;

/// <summary>
/// Where one model parameter lives in a llama.cpp GGUF file and how its layout differs there. GGUF stores every weight
/// in the Linear orientation (out, in) — GPT-2's Conv1D weights (in, out) are transposed — and llama.cpp's LLaMA
/// rotates adjacent pairs (x₂ᵢ, x₂ᵢ₊₁) where HF's checkpoints rotate halves (xᵢ, xᵢ₊ₕ/₂), so the rows of q and k are
/// reordered per head: row (h, j·hd/2 + i) of HF becomes row (h, 2i + j) of GGUF (the reordering llama.cpp's converter applies).
/// </summary>
/// <param name="ParameterName">The model's parameter name (HF's key with the base-model prefix).</param>
/// <param name="GgufName">llama.cpp's tensor name.</param>
/// <param name="Transposed">The parameter is a Conv1D weight (in, out).</param>
/// <param name="RopeHeads">Heads whose rows are reordered from rotate-half to adjacent pairs, or 0.</param>
internal sealed record GgufTensorMap(string ParameterName, string GgufName, bool Transposed = false, int RopeHeads = 0)
{
    /// <summary>The parameter as GGUF stores it (PyTorch order of GGUF's dimensions).</summary>
    public Tensor ToGguf(Tensor parameter) => RowsToGguf(Transposed ? parameter.t() : parameter);

    /// <summary>The parameter back from its GGUF form.</summary>
    public Tensor FromGguf(Tensor stored)
    {
        var rows = ReorderRows(stored, toGguf: false);
        return Transposed ? rows.t() : rows;
    }

    /// <summary>Rows in the Linear orientation (a weight, a bias, or LoRA's B) reordered as GGUF's rows are.</summary>
    public Tensor RowsToGguf(Tensor linearRows) => ReorderRows(linearRows, toGguf: true);

    /// <summary>The GGUF shape of a parameter of shape <paramref name="shape"/>.</summary>
    public long[] GgufShape(long[] shape) => Transposed ? [shape[1], shape[0]] : shape;

    private Tensor ReorderRows(Tensor t, bool toGguf)
    {
        if (RopeHeads == 0) return t;
        long rows = t.shape[0], half = rows / RopeHeads / 2;
        var rest = t.shape[1..];
        // HF: (head, half j, i) → GGUF: (head, i, half j); the inverse swaps back.
        var split = toGguf ? t.reshape([RopeHeads, 2, half, .. rest]) : t.reshape([RopeHeads, half, 2, .. rest]);
        return split.transpose(1, 2).reshape(t.shape);
    }
}
