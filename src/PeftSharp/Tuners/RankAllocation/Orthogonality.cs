using static TorchSharp.torch;

namespace PeftSharp.Tuners.RankAllocation;

/// <summary>The orthogonal regulariser of AdaLoRA and LoRA² (docs/methods.md#adalora).</summary>
internal static class Orthogonality
{
    /// <summary>‖MᵀM − I‖_F when M has no more columns than rows, else ‖MMᵀ − I‖_F (unsquared Frobenius norm).</summary>
    public static Tensor Penalty(Tensor m)
    {
        var (rows, cols) = (m.shape[0], m.shape[1]);
        var gram = cols <= rows ? m.t().matmul(m) : m.matmul(m.t());
        var identity = eye(gram.shape[0], dtype: m.dtype, device: m.device);
        return (gram - identity).norm();
    }

    /// <summary>orth_reg_weight × the mean penalty over every matrix of every adapter.</summary>
    public static Tensor? Loss(IEnumerable<IRankAdaptive> adapters, double weight)
    {
        Tensor? sum = null;
        int count = 0;
        foreach (var adapter in adapters)
            foreach (var m in adapter.OrthogonalMatrices())
            {
                var p = Penalty(m);
                sum = sum is null ? p : sum + p;
                count++;
            }
        return sum is null ? null : sum * (weight / count);
    }
}
