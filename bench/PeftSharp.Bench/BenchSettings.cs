using PeftSharp.Models.Gpt2;

namespace PeftSharp.Bench;

/// <summary>
/// Shapes and repetition counts of the issue-8 benchmarks. <see cref="Full"/> is what <c>bench/run</c> measures;
/// <see cref="Smoke"/> runs every section end to end on tiny shapes, once, to check the code (its numbers mean nothing).
/// </summary>
internal sealed record BenchSettings
{
    public bool IsSmoke { get; init; }
    public int Warmup { get; init; } = 2;
    public int Repetitions { get; init; } = 7;
    /// <summary>Fewer steps for half precision: on CPUs without AVX-512 its matrix products are tens of times slower.</summary>
    public int HalfWarmup { get; init; } = 1;
    public int HalfRepetitions { get; init; } = 3;

    /// <summary>
    /// The methods of the mixed-precision section by CLI name (null = all; LoRA always, for its target); bench/run's
    /// <c>--precision-methods=lora,full</c>. On a CPU without AVX-512 a bfloat16 step is tens of times slower than float32.
    /// </summary>
    public IReadOnlySet<string>? PrecisionMethods { get; init; }

    /// <summary>Sequence lengths of the activation-checkpointing section (batch 1, <see cref="CheckpointBlocks"/> GPT-2-small blocks).</summary>
    public int[] CheckpointSequences { get; init; } = [128, 256, 512, 1024, 2048];
    /// <summary>Blocks of the checkpointing stack: GPT-2 small's 12, since the saving grows with the depth.</summary>
    public int CheckpointBlocks { get; init; } = 12;

    /// <summary>The scale run's LLaMA shape (LLaMA-7B's by default; <c>--scale=LxHxT</c>) and its steps.</summary>
    public int ScaleLayers { get; init; } = 32;
    public int ScaleHidden { get; init; } = 4096;
    public int ScaleTokens { get; init; } = 512;
    public int ScaleSteps { get; init; } = 2;

    /// <summary>GPT-2-small blocks (d = 768, 12 heads, MLP 3072), no dropout (bare steps have none either).</summary>
    public Gpt2Config Gpt2 { get; init; } = new() { NEmbd = 768, NHead = 12, ResidPdrop = 0, EmbdPdrop = 0, AttnPdrop = 0 };
    /// <summary>Blocks in the GPT-2 stack: 2 keeps a full fine-tuning step near a second on 2 cores.</summary>
    public int StackBlocks { get; init; } = 2;
    public int Batch { get; init; } = 4;
    public int Sequence { get; init; } = 512;

    /// <summary>The LLaMA-7B-shaped projection: 4096 × 4096 on 512 tokens.</summary>
    public int ProjectionSize { get; init; } = 4096;
    public int ProjectionTokens { get; init; } = 512;

    /// <summary>Steps of the memory-stability run and the interval at which resident memory is sampled.</summary>
    public int StabilitySteps { get; init; } = 1000;
    public int StabilitySampleEvery { get; init; } = 100;

    /// <summary>The checkpoint written and loaded by the load benchmark: GPT-2 small (124 M parameters, 498 MB float32).</summary>
    public Gpt2Config Checkpoint { get; init; } = new();

    public static BenchSettings Full { get; } = new();

    public static BenchSettings Smoke { get; } = new()
    {
        IsSmoke = true,
        Warmup = 1,
        Repetitions = 1,
        HalfWarmup = 1,
        HalfRepetitions = 1,
        CheckpointSequences = [16, 32],
        CheckpointBlocks = 2,
        ScaleLayers = 2,
        ScaleHidden = 128,
        ScaleTokens = 16,
        Gpt2 = new Gpt2Config { NEmbd = 64, NHead = 4, ResidPdrop = 0, EmbdPdrop = 0, AttnPdrop = 0 },
        StackBlocks = 1,
        Batch = 2,
        Sequence = 32,
        ProjectionSize = 128,
        ProjectionTokens = 32,
        StabilitySteps = 30,
        StabilitySampleEvery = 10,
        Checkpoint = new Gpt2Config { NLayer = 2, NEmbd = 64, NHead = 4, VocabSize = 4096, NPositions = 128 }, // the GGUF export embeds a 4,096-token tokenizer
    };
}
