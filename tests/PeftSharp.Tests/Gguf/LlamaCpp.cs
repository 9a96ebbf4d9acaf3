using LLama;
using LLama.Common;
using LLama.Native;

namespace PeftSharp.Tests.Gguf;

/// <summary>
/// A GGUF model run by llama.cpp (LLamaSharp's CPU build): its tokenisation, its logits for every position of a
/// sequence, greedy continuations, optionally with a LoRA adapter applied. The KV cache is f32 and flash attention off,
/// so the only differences from PeftSharp's float32 forward are llama.cpp's own kernels.
/// </summary>
internal sealed class LlamaCpp : IDisposable
{
    static LlamaCpp()
    {
        // Quiet: llama.cpp logs every load to stderr otherwise. Set before the first native call.
        NativeLibraryConfig.All.WithLogCallback((level, message) => { });
        NativeApi.llama_empty_call(); // loads the native library (the quantiser's entry points do not)
    }

    /// <summary>Loads llama.cpp with its logging quieted, for code that then uses LLamaSharp directly.</summary>
    public static void EnsureLoaded() => System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(LlamaCpp).TypeHandle);

    private readonly LLamaWeights weights;
    private readonly LLamaContext context;

    private LlamaCpp(LLamaWeights weights, LLamaContext context) => (this.weights, this.context) = (weights, context);

    public static LlamaCpp Load(string path, string? lora = null, uint contextSize = 128)
    {
        var parameters = new ModelParams(path)
        {
            ContextSize = contextSize, GpuLayerCount = 0, Threads = 1, BatchThreads = 1,
            TypeK = GGMLType.GGML_TYPE_F32, TypeV = GGMLType.GGML_TYPE_F32, FlashAttention = false,
        };
        var weights = LLamaWeights.LoadFromFile(parameters);
        var context = weights.CreateContext(parameters);
        if (lora is not null) context.NativeHandle.SetLoraAdapters((weights.NativeHandle.LoadLoraFromFile(lora), 1f));
        return new LlamaCpp(weights, context);
    }

    /// <summary>llama_tokenize with the file's add_bos/add_eos and special tokens in the text recognised.</summary>
    public int[] Tokenize(string text) => context.Tokenize(text, addBos: true, special: true).Select(t => (int)t).ToArray();

    /// <summary>The logits at every position of <paramref name="tokens"/>, from an empty cache.</summary>
    public float[][] Logits(IReadOnlyList<int> tokens)
    {
        context.NativeHandle.MemoryClear();
        var batch = new LLamaBatch();
        for (int i = 0; i < tokens.Count; i++) batch.Add(tokens[i], i, LLamaSeqId.Zero, logits: true);
        Check(context.Decode(batch));
        return Enumerable.Range(0, tokens.Count).Select(i => context.NativeHandle.GetLogitsIth(i).ToArray()).ToArray();
    }

    /// <summary><paramref name="count"/> tokens continuing <paramref name="prompt"/>, each the argmax of the logits.</summary>
    public int[] Greedy(IReadOnlyList<int> prompt, int count)
    {
        var last = Logits(prompt)[^1];
        var generated = new List<int>();
        for (int i = 0; i < count; i++)
        {
            int next = ArgMax(last);
            generated.Add(next);
            var batch = new LLamaBatch();
            batch.Add(next, prompt.Count + i, LLamaSeqId.Zero, logits: true);
            Check(context.Decode(batch));
            last = context.NativeHandle.GetLogitsIth(0).ToArray();
        }
        return generated.ToArray();
    }

    public static int ArgMax(IReadOnlyList<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Count; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    private static void Check(DecodeResult result) => Assert.True(result == DecodeResult.Ok, $"llama_decode: {result}");

    /// <summary>Quantises a GGUF model with llama.cpp's own quantiser (llama_model_quantize).</summary>
    public static void Quantize(string source, string target, LLamaFtype type) =>
        Assert.True(LLamaQuantizer.Quantize(source, target, type, nthread: 1), $"llama.cpp could not quantise {source} to {type}");

    public void Dispose()
    {
        context.Dispose();
        weights.Dispose();
    }
}
