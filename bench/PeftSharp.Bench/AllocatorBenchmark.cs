using PeftSharp.Tuners;
using PeftSharp.Tuners.AdaLora;
using PeftSharp.Tuners.Lora2;
using PeftSharp.Tuners.RankAllocation;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Bench;

/// <summary>
/// one rank-allocator update (sensitivity, EMAs, importance, masking) for AdaLoRA vs LoRA² on the
/// 72 attention and MLP projections of GPT-2 small (12 blocks × c_attn, attn.c_proj, c_fc, mlp.c_proj), r = 12, K = 8.
/// </summary>
internal static class AllocatorBenchmark
{
    private sealed class Block : nn.Module<Tensor, Tensor>
    {
#pragma warning disable IDE1006
        public nn.Module<Tensor, Tensor> c_attn = new PeftSharp.Models.Conv1D(768, 2304);
        public nn.Module<Tensor, Tensor> attn_c_proj = new PeftSharp.Models.Conv1D(768, 768);
        public nn.Module<Tensor, Tensor> c_fc = new PeftSharp.Models.Conv1D(768, 3072);
        public nn.Module<Tensor, Tensor> mlp_c_proj = new PeftSharp.Models.Conv1D(3072, 768);
#pragma warning restore IDE1006
        public Block() : base("block") => RegisterComponents();
        public override Tensor forward(Tensor x) => mlp_c_proj.call(c_fc.call(attn_c_proj.call(c_attn.call(x)[.., .., ..768])));
    }

    private sealed class Stack : nn.Module<Tensor, Tensor>
    {
#pragma warning disable IDE1006
        public TorchSharp.Modules.ModuleList<Block> h = new(Enumerable.Range(0, 12).Select(_ => new Block()).ToArray());
#pragma warning restore IDE1006
        public Stack() : base("stack") => RegisterComponents();
        public override Tensor forward(Tensor x) { foreach (var b in h) x = b.call(x); return x; }
    }

    public sealed record Result(string Method, double UpdateMilliseconds, long ScoredParameters, long AdapterParameters, int Layers);

    public static IReadOnlyList<Result> Run(int warmup = 3, int repetitions = 21)
    {
        var results = new List<Result>();
        foreach (var method in new[] { "AdaLoRA", "LoRA²" })
        {
            torch.manual_seed(0);
            var model = new Stack();
            RankAdaptiveConfig config = method == "AdaLoRA"
                ? new AdaLoraConfig { InitR = 12, TargetR = 8, Tinit = 0, Tfinal = 10, DeltaT = 1, TotalStep = 1_000_000, TargetModules = TargetModules.AllLinear }
                : new Lora2Config { K = 8, InitR = 12, TargetR = 8, Tinit = 0, Tfinal = 10, DeltaT = 1, TotalStep = 1_000_000, TargetModules = TargetModules.AllLinear };
            var peft = PeftModel.Create(model, config);
            using (no_grad()) foreach (var t in peft.TrainableParameters()) t.Parameter.normal_(0, 0.02);
            // Gradients from one real backward pass so the allocator has something to score.
            using (var scope = NewDisposeScope()) model.call(randn(2, 16, 768)).pow(2).mean().backward();
            var allocator = (RankAllocator)peft.Schedule!;
            long step = 1;
            double ms = Measure.MedianMilliseconds(() => allocator.Step(step++), warmup, repetitions);
            results.Add(new Result(method, ms, allocator.ScoredParameterCount, peft.TrainableParameters().Sum(t => t.Parameter.numel()), peft.Layers.Count));
        }
        return results;
    }
}
