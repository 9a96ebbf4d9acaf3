using System.Diagnostics;
using System.Text;
using static TorchSharp.torch;

namespace PeftSharp.Bench;

/// <summary>One matrix product C (M × N) = A (M × K) · B (K × N), <see cref="Batch"/> times; attention's or a linear layer's.</summary>
internal sealed record Gemm(long Batch, long M, long K, long N, bool IsAttention = false)
{
    public double Flops => 2.0 * Batch * M * K * N;

    /// <summary>
    /// The products of a linear layer (k → d) on <paramref name="tokens"/> rows in one training step. Forward x·W;
    /// backward ∂x = ∂y·Wᵀ when the input needs a gradient, ∂W = xᵀ·∂y for full fine-tuning (<paramref name="loraRank"/>
    /// null). LoRA adds forward x·Aᵀ, (xAᵀ)·Bᵀ and backward ∂B = ∂yᵀ·(xAᵀ), ∂(xAᵀ) = ∂y·B, ∂A = ∂(xAᵀ)ᵀ·x and,
    /// when the input needs a gradient, ∂(xAᵀ)·A.
    /// </summary>
    public static IEnumerable<Gemm> Linear(long tokens, long k, long d, int? loraRank, bool inputNeedsGrad)
    {
        yield return new(1, tokens, k, d);
        if (inputNeedsGrad) yield return new(1, tokens, d, k);
        if (loraRank is not { } r)
        {
            yield return new(1, k, tokens, d);
            yield break;
        }
        yield return new(1, tokens, k, r);
        yield return new(1, tokens, r, d);
        yield return new(1, d, tokens, r);
        yield return new(1, tokens, d, r);
        yield return new(1, r, tokens, k);
        if (inputNeedsGrad) yield return new(1, tokens, r, k);
    }

    /// <summary>
    /// Attention's products, counted as a dense implementation does them (no causal skipping): forward Q·Kᵀ and P·V,
    /// backward ∂V = Pᵀ·∂O, ∂P = ∂O·Vᵀ, ∂Q = ∂S·K, ∂K = ∂Sᵀ·Q, for <paramref name="batchHeads"/> (batch × heads) matrices.
    /// </summary>
    public static IEnumerable<Gemm> Attention(long batchHeads, long seq, long headDim)
    {
        Gemm scores = new(batchHeads, seq, headDim, seq, IsAttention: true), weighted = new(batchHeads, seq, seq, headDim, IsAttention: true);
        return [scores, weighted, weighted, scores, weighted, weighted]; // Q·Kᵀ, P·V; ∂V, ∂P, ∂Q, ∂K
    }
}

/// <summary>
/// The hardware limit: a step's matrix-product FLOPs (counted with <see cref="Gemm"/>) divided by its
/// measured time, as a fraction of the throughput <c>torch.matmul</c> reaches on the same products alone — equivalently,
/// the share of the step's time that its products alone would take.
/// </summary>
internal static class GemmLimit
{
    /// <summary>Median time of one product (ms) on contiguous float32 operands; small products are repeated to fill ≥ 20 ms per timing.</summary>
    private static double Milliseconds(Gemm gemm, BenchSettings settings)
    {
        using var scope = NewDisposeScope();
        long[] Shape(long rows, long columns) => gemm.Batch == 1 ? [rows, columns] : [gemm.Batch, rows, columns];
        var (a, b) = (randn(Shape(gemm.M, gemm.K)), randn(Shape(gemm.K, gemm.N)));
        void Once() { using var product = matmul(a, b); }
        var clock = Stopwatch.StartNew();
        Once();
        int repeat = (int)Math.Clamp(Math.Ceiling(20 / Math.Max(clock.Elapsed.TotalMilliseconds, 1e-3)), 1, 10_000);
        return Measure.MedianMilliseconds(() => { for (int i = 0; i < repeat; i++) Once(); }, settings.Warmup, settings.Repetitions) / repeat;
    }

    public static string Report(BenchSettings settings)
    {
        var text = new StringBuilder();
        text.AppendLine("## Hardware limit: step FLOP/s as a fraction of libtorch's GEMM throughput").AppendLine();
        text.AppendLine("Matrix-product FLOPs of a step are counted analytically (2·M·K·N per product): every linear layer's forward x·W, " +
                        "∂x = ∂y·Wᵀ where the input needs a gradient (not at the GPT-2 stack's first c_attn under LoRA: nothing before it trains), " +
                        "∂W = xᵀ·∂y for full fine-tuning, LoRA's rank-r products per layer (two forward, three backward, a fourth where ∂x is needed), and " +
                        "attention's six products per block counted densely (Q·Kᵀ, P·V; ∂V, ∂P, ∂Q, ∂K), though the causal kernel may skip masked blocks. " +
                        "The GEMM limit times `torch.matmul` on each of those shapes alone (contiguous float32 operands, median); the fraction is " +
                        "(FLOPs / step time) / (FLOPs / Σ product times) = Σ product times / step time; \"linear layers only\" leaves attention's products out " +
                        "of the sum (a lower bound that does not depend on how attention is counted). Step times are those of §1.").AppendLine();
        var rows = new List<string[]>();
        string? target = null;
        foreach (var workload in Workload.Create(settings))
            using (workload)
                foreach (var (method, rank) in new[] { (Method.Lora, (int?)8), (Method.Full, null) })
                {
                    var step = StepBenchmark.Run(workload, method, settings);
                    Progress.Log($"gemm: {workload.Name}, {method.Label} products");
                    var times = workload.StepGemms(rank).GroupBy(g => g).Select(group => (Gemm: group.Key, Count: group.Count(), Ms: Milliseconds(group.Key, settings))).ToList();
                    double flops = times.Sum(t => t.Count * t.Gemm.Flops), gemmMs = times.Sum(t => t.Count * t.Ms);
                    double achieved = flops / step.Milliseconds / 1e6, limit = flops / gemmMs / 1e6, fraction = achieved / limit;
                    double linearFraction = times.Where(t => !t.Gemm.IsAttention).Sum(t => t.Count * t.Ms) / step.Milliseconds;
                    rows.Add([workload.Name, method.Label, Markdown.Number(flops / 1e9, 2), Markdown.Number(step.Milliseconds, 1),
                        Markdown.Number(achieved, 1), Markdown.Number(gemmMs, 1), Markdown.Number(limit, 1), Markdown.Percent(fraction), Markdown.Percent(linearFraction)]);
                    if (method == Method.Lora && workload is Gpt2StackWorkload)
                        target = Markdown.Target("LoRA step ≥ 50 % of the GEMM throughput (GPT-2 stack)", fraction >= 0.5,
                            $"{Markdown.Percent(fraction)}: {Markdown.Number(achieved, 1)} GFLOP/s in the step vs {Markdown.Number(limit, 1)} GFLOP/s for its products alone; " +
                            $"linear layers' products alone: {Markdown.Percent(linearFraction)}");
                }
        text.Append(Markdown.Table(["workload", "method", "step GFLOP", "step (ms)", "step GFLOP/s", "products alone (ms)", "GEMM GFLOP/s", "fraction", "linear layers only"], rows));
        return text.AppendLine().AppendLine(target).AppendLine().ToString();
    }
}
