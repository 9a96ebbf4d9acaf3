using PeftSharp.Models;
using PeftSharp.Models.Gpt2;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PeftSharp.Bench;

/// <summary>
/// a stack of GPT-2-small blocks (PeftSharp's own <see cref="Gpt2Block"/>) on hidden states
/// (batch, seq, d) — no embeddings or LM head, so the step is the layers' work. Adapters go on all four projections
/// of each block (c_attn, attn.c_proj, c_fc, mlp.c_proj).
/// </summary>
internal sealed class Gpt2StackWorkload : Workload
{
    private readonly Tensor input; // (batch, seq, d)

    public Gpt2StackWorkload(BenchSettings settings) : base(settings)
    {
        manual_seed(1);
        input = randn(settings.Batch, settings.Sequence, Config.NEmbd);
    }

    private Gpt2Config Config => Settings.Gpt2 with { NLayer = Settings.StackBlocks };
    public override string Name => "gpt2-stack";
    public override string Description =>
        $"{Settings.StackBlocks} GPT-2-small-shaped block(s) (d = {Config.NEmbd}, {Config.NHead} heads, MLP {Config.Inner}, no dropout), " +
        $"batch {Settings.Batch} × seq {Settings.Sequence} hidden states in, adapters on c_attn, attn.c_proj, c_fc, mlp.c_proj";
    public override long LargestWeightElements => (long)Config.NEmbd * Config.Inner;
    public override Tensor Input => input;

    public override nn.Module<Tensor, Tensor> CreateModel()
    {
        manual_seed(0);
        return new Gpt2Stack(Config);
    }

    /// <summary>The blocks of a GPT-2 body, causal attention, no mask; checkpointed like the model's own when switched on.</summary>
    internal sealed class Gpt2Stack : nn.Module<Tensor, Tensor>, IBlockStack
    {
#pragma warning disable IDE1006 // HF's module names
        public ModuleList<Gpt2Block> h;
#pragma warning restore IDE1006

        public Gpt2Stack(Gpt2Config config) : base(nameof(Gpt2Stack))
        {
            h = new ModuleList<Gpt2Block>(Enumerable.Range(0, config.NLayer).Select(i => new Gpt2Block(config, i, null, null)).ToArray());
            RegisterComponents();
        }

        public bool GradientCheckpointing { get; set; }

        public override Tensor forward(Tensor x)
        {
            var causal = new AttentionBias(null, IsCausal: true);
            foreach (var block in h) x = ActivationCheckpoint.Run(GradientCheckpointing, block, x, hidden => block.Forward(hidden, causal, null));
            return x;
        }
    }

    public override Func<Tensor, Tensor> BareForward(nn.Module<Tensor, Tensor> model, BareLinearFactory adapt)
    {
        var blocks = ((Gpt2Stack)model).h.Select(b => new BareBlock(b, Config, adapt)).ToList();
        return x =>
        {
            foreach (var block in blocks) x = block.Forward(x);
            return x;
        };
    }

    /// <summary>One GPT-2 block in bare ops: x + attn(ln_1(x)), then x + mlp(ln_2(x)).</summary>
    private sealed class BareBlock(Gpt2Block block, Gpt2Config config, BareLinearFactory adapt)
    {
        private readonly (Tensor Weight, Tensor Bias) ln1 = (block.ln_1.weight!, block.ln_1.bias!), ln2 = (block.ln_2.weight!, block.ln_2.bias!);
        private readonly BareLinear qkv = Adapt(block.attn.c_attn, adapt), attnOut = Adapt(block.attn.c_proj, adapt);
        private readonly BareLinear fc = Adapt(block.mlp.c_fc, adapt), mlpOut = Adapt(block.mlp.c_proj, adapt);

        private static BareLinear Adapt(nn.Module<Tensor, Tensor> layer, BareLinearFactory adapt) =>
            layer is Conv1D conv ? adapt(conv.weight, conv.bias) : throw new ArgumentException("expected GPT-2's Conv1D", nameof(layer));

        public Tensor Forward(Tensor x)
        {
            long batch = x.shape[0], seq = x.shape[1], d = config.NEmbd;
            long[] normalized = [d];
            var parts = qkv.Forward(F.layer_norm(x, normalized, ln1.Weight, ln1.Bias, config.LayerNormEpsilon)).split(d, 2);
            Tensor Heads(Tensor t) => t.view(batch, seq, config.NHead, config.HeadDim).transpose(1, 2); // (batch, heads, seq, hd)
            var attended = F.scaled_dot_product_attention(Heads(parts[0]), Heads(parts[1]), Heads(parts[2]), is_casual: true);
            x = x + attnOut.Forward(attended.transpose(1, 2).reshape(batch, seq, d));
            var hidden = F.gelu(fc.Forward(F.layer_norm(x, normalized, ln2.Weight, ln2.Bias, config.LayerNormEpsilon)), GELU.Approximate.tanh);
            return x + mlpOut.Forward(hidden);
        }
    }

    public override IEnumerable<Gemm> StepGemms(int? loraRank)
    {
        long tokens = (long)Settings.Batch * Settings.Sequence, d = Config.NEmbd, inner = Config.Inner;
        (long In, long Out)[] projections = [(d, 3 * d), (d, d), (d, inner), (inner, d)];
        for (int b = 0; b < Settings.StackBlocks; b++)
            for (int p = 0; p < projections.Length; p++)
            {
                // With LoRA nothing before block 0's c_attn trains (frozen ln_1, input without gradient): no ∂x there.
                bool inputNeedsGrad = loraRank is null || b > 0 || p > 0;
                foreach (var gemm in Gemm.Linear(tokens, projections[p].In, projections[p].Out, loraRank, inputNeedsGrad)) yield return gemm;
                if (p == 0)
                    foreach (var gemm in Gemm.Attention((long)Settings.Batch * Config.NHead, Settings.Sequence, Config.HeadDim)) yield return gemm;
            }
    }
}
