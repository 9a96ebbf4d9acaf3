using PeftSharp.Evaluation.Generation;
using PeftSharp.Models;
using PeftSharp.Tests.Models;
using TorchSharp;

namespace PeftSharp.Tests.Evaluation.Generation;

public class TextGeneratorTests
{
    private static readonly int[][] Prompts = [[18, 51, 42, 53, 59, 45, 23], [7, 3], [40, 2, 9, 11]];

    [Theory]
    [InlineData("gpt2_original")]
    [InlineData("llama_gqa")]
    [InlineData("mistral_sharded")] // sliding window of 4 < generated length
    public void Kv_cache_forward_equals_full_recomputation_with_left_padding(string name)
    {
        using var model = ModelFixtures.LoadCausal(name);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        // Row 0 left-padded by two; prefill 5 positions, then 4 single-token steps.
        var ids = torch.tensor(new long[] { 0, 0, 5, 9, 13, 2, 8, 30, 4, 1, 17, 22, 6, 3, 44, 12, 19, 7 }, [2, 9]);
        var mask = torch.tensor(new long[] { 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, [2, 9]);
        var full = model.Forward(ids, mask);                                                     // (2, 9, vocab)
        using var cache = new KvCache();
        var steps = new List<torch.Tensor> { model.Forward(ids[.., ..5], mask[.., ..5], cache) };
        for (var t = 5; t < 9; t++) steps.Add(model.Forward(ids[.., t..(t + 1)], mask[.., ..(t + 1)], cache));
        Assert.Equal(9, cache.Length);
        var incremental = torch.cat(steps, 1);
        var real = mask.unsqueeze(-1).to(torch.ScalarType.Bool);
        var diff = (full - incremental).abs().masked_fill(real.logical_not(), 0).max().item<float>();
        Assert.True(diff < 1e-5, $"max |Δ| {diff}");
    }

    [Theory]
    [InlineData("gpt2_original", 1)]
    [InlineData("llama3_tied", 1)]
    [InlineData("gpt2_original", 3)]
    [InlineData("qwen2_bf16", 3)]
    public void Cached_generation_equals_uncached_generation(string name, int beams)
    {
        using var model = ModelFixtures.LoadCausal(name);
        var options = new GenerationOptions { MaxNewTokens = 10, NumBeams = beams, EosTokenIds = [] };
        var cached = TextGenerator.Generate(model, Prompts, options);
        var uncached = TextGenerator.Generate(model, Prompts, options with { UseCache = false });
        Assert.Equal(cached, uncached);
        Assert.All(cached, o => Assert.Equal(10, o.Count));
    }

    [Theory]
    [InlineData("gpt2_prefixed", 1)]
    [InlineData("llama_gqa", 1)]
    [InlineData("mistral_sharded", 1)]
    [InlineData("gpt2_prefixed", 3)]
    [InlineData("llama3_tied", 3)]
    public void Left_padded_batch_equals_individual_runs(string name, int beams)
    {
        using var model = ModelFixtures.LoadCausal(name);
        var options = new GenerationOptions { MaxNewTokens = 8, NumBeams = beams, NoRepeatNgramSize = beams > 1 ? 2 : 0 };
        var batched = TextGenerator.Generate(model, Prompts, options);
        for (var i = 0; i < Prompts.Length; i++)
            Assert.Equal(TextGenerator.Generate(model, [Prompts[i]], options)[0], batched[i]);
    }

    [Theory]
    [InlineData("gpt2_original")]
    [InlineData("llama_gqa")]
    public void Beam_search_with_one_beam_equals_greedy(string name)
    {
        using var model = ModelFixtures.LoadCausal(name);
        // EOS = the fourth greedy token, so that both paths must stop at it.
        var greedy = TextGenerator.Generate(model, Prompts, new GenerationOptions { MaxNewTokens = 8, EosTokenIds = [] });
        var eos = greedy[0][3];
        var options = new GenerationOptions { MaxNewTokens = 8, EosTokenIds = [eos] };
        var expected = TextGenerator.Generate(model, Prompts, options);
        Assert.Equal(eos, expected[0][^1]);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var beam = BeamSearch.Run(model, Prompts, (options with { NumBeams = 1 }).Resolve([eos], 7));
        Assert.Equal(expected, beam);
    }

    [Fact]
    public void Beam_search_finds_the_best_sequence_greedy_misses()
    {
        // tokens: 0 = EOS, 1 = A, 2 = B, 3 = C, 4 = start.
        // Greedy: start → A (0.5) → C (0.3): p = 0.15. Best: start → B (0.4) → EOS (0.9): p = 0.36.
        var p = new double[5, 5];
        (p[4, 1], p[4, 2], p[4, 3]) = (0.5, 0.4, 0.1);
        (p[1, 0], p[1, 1], p[1, 2], p[1, 3]) = (0.2, 0.25, 0.25, 0.3);
        (p[2, 0], p[2, 3]) = (0.9, 0.1);
        (p[3, 0], p[3, 3]) = (0.5, 0.5);
        p[0, 0] = 1;
        using var model = new TableModel(p, 0);
        var greedy = TextGenerator.Generate(model, [[4]], new GenerationOptions { MaxNewTokens = 2 });
        Assert.Equal([1, 3], greedy[0]);
        var beam = TextGenerator.Generate(model, [[4]], new GenerationOptions { MaxNewTokens = 2, NumBeams = 2 });
        Assert.Equal([2, 0], beam[0]);
    }

    [Fact]
    public void Length_penalty_decides_between_short_and_long_hypotheses()
    {
        // start(4) → EOS with 0.3, or → A with 0.7 then A → EOS with 0.6 (p 0.42 over 2 tokens).
        // Scores: short log .3 / 1^lp = −1.20; long log .42 / 2^lp: lp = 1 → −0.43 (long wins);
        // lp = −3 → −6.94 (short wins).
        var p = new double[5, 5];
        (p[4, 0], p[4, 1]) = (0.3, 0.7);
        (p[1, 0], p[1, 2]) = (0.6, 0.4);
        (p[2, 0]) = 1;
        p[0, 0] = 1;
        using var model = new TableModel(p, 0);
        var options = new GenerationOptions { MaxNewTokens = 3, NumBeams = 2, EarlyStopping = EarlyStopping.WhenBeamsFinished };
        Assert.Equal([1, 0], TextGenerator.Generate(model, [[4]], options)[0]);
        Assert.Equal([0], TextGenerator.Generate(model, [[4]], options with { LengthPenalty = -3 })[0]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void No_repeat_ngram_size_is_honoured_including_the_prompt(int beams)
    {
        using var model = ModelFixtures.LoadCausal("gpt2_original");
        var prompt = Prompts[0];
        // Unconstrained greedy repeats "14 14" (see the golden greedy continuation).
        var plain = TextGenerator.Generate(model, [prompt], new GenerationOptions { MaxNewTokens = 12, EosTokenIds = [] })[0];
        Assert.True(HasRepeatedNgram([.. prompt, .. plain], 2));
        var output = TextGenerator.Generate(model, [prompt], new GenerationOptions { MaxNewTokens = 12, NumBeams = beams, NoRepeatNgramSize = 2, EosTokenIds = [] })[0];
        Assert.Equal(12, output.Count);
        Assert.False(HasRepeatedNgram([.. prompt, .. output], 2));
    }

    private static bool HasRepeatedNgram(IReadOnlyList<int> sequence, int n)
    {
        var seen = new HashSet<string>();
        for (var i = 0; i + n <= sequence.Count; i++)
            if (!seen.Add(string.Join(",", sequence.Skip(i).Take(n)))) return true;
        return false;
    }

    [Fact]
    public void Banned_tokens_are_those_following_the_last_n_minus_1_tokens()
    {
        Assert.Equal([3, 9], LogitsProcessing.BannedTokens([1, 2, 3, 1, 2, 9, 7, 1, 2], 3).ToList());
        Assert.Empty(LogitsProcessing.BannedTokens([1, 2], 3));
    }

    [Fact]
    public void Eos_stops_each_sequence_of_a_batch_separately()
    {
        using var model = ModelFixtures.LoadCausal("llama_gqa");
        var plain = TextGenerator.Generate(model, Prompts, new GenerationOptions { MaxNewTokens = 8, EosTokenIds = [] });
        var eos = plain[0][2];
        var stopped = TextGenerator.Generate(model, Prompts, new GenerationOptions { MaxNewTokens = 8, EosTokenIds = [eos] });
        for (var i = 0; i < Prompts.Length; i++)
        {
            var cut = plain[i].ToList().IndexOf(eos);
            var expected = cut < 0 ? plain[i] : plain[i].Take(cut + 1).ToList();
            Assert.Equal(expected, stopped[i]);
        }
        Assert.Equal(3, stopped[0].Count);
    }

    [Fact]
    public void Sampling_is_reproducible_with_a_seed_and_top_k_1_is_greedy()
    {
        using var model = ModelFixtures.LoadCausal("llama_gqa");
        var sample = new GenerationOptions { MaxNewTokens = 12, DoSample = true, Seed = 7, TopK = 0, EosTokenIds = [] };
        var a = TextGenerator.Generate(model, Prompts, sample);
        var b = TextGenerator.Generate(model, Prompts, sample);
        var c = TextGenerator.Generate(model, Prompts, sample with { Seed = 8 });
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        var greedy = TextGenerator.Generate(model, Prompts, new GenerationOptions { MaxNewTokens = 12, EosTokenIds = [] });
        Assert.Equal(greedy, TextGenerator.Generate(model, Prompts, sample with { TopK = 1 }));
        Assert.Equal(greedy, TextGenerator.Generate(model, Prompts, sample with { TopP = 1e-6 }));
    }

    [Fact]
    public void Top_p_keeps_the_smallest_set_reaching_p_and_top_k_the_k_best()
    {
        using var scope = torch.NewDisposeScope();
        var probabilities = torch.tensor(new float[] { 0.05f, 0.5f, 0.1f, 0.3f, 0.05f }).unsqueeze(0);
        var logits = probabilities.log();
        var topP = LogitsProcessing.Warp(logits, new GenerationOptions { TopK = 0, TopP = 0.75 }.Resolve([], 1));
        Assert.Equal([false, true, false, true, false], topP.isfinite()[0].data<bool>().ToArray()); // 0.5 + 0.3 ≥ 0.75
        var topK = LogitsProcessing.Warp(logits, new GenerationOptions { TopK = 3 }.Resolve([], 1));
        Assert.Equal([false, true, true, true, false], topK.isfinite()[0].data<bool>().ToArray());
        var hot = LogitsProcessing.Warp(logits, new GenerationOptions { TopK = 0, Temperature = 0.5 }.Resolve([], 1)).softmax(-1);
        var expected = probabilities.pow(2) / probabilities.pow(2).sum();
        Assert.True(hot.allclose(expected, 1e-5, 1e-6));
    }

    [Fact]
    public void Sampling_frequencies_follow_the_model_distribution()
    {
        // From start(3): A 0.6, B 0.3, C 0.1.
        var p = new double[4, 4];
        (p[3, 0], p[3, 1], p[3, 2]) = (0.6, 0.3, 0.1);
        using var model = new TableModel(p);
        var prompts = Enumerable.Repeat<IReadOnlyList<int>>([3], 3000).ToList();
        var output = TextGenerator.Generate(model, prompts, new GenerationOptions { MaxNewTokens = 1, DoSample = true, Seed = 1 });
        var counts = output.GroupBy(o => o[0]).ToDictionary(g => g.Key, g => g.Count() / 3000.0);
        Assert.InRange(counts[0], 0.57, 0.63);
        Assert.InRange(counts[1], 0.27, 0.33);
        Assert.InRange(counts[2], 0.08, 0.12);
    }

    [Fact]
    public void Generation_restores_training_mode_and_leaves_no_gradients()
    {
        using var model = ModelFixtures.LoadCausal("gpt2_original");
        model.Module.train();
        TextGenerator.Generate(model, Prompts, new GenerationOptions { MaxNewTokens = 3 });
        Assert.True(model.Module.training);
        Assert.All(model.Module.parameters(), p => Assert.True(p.grad is null));
    }

    [Fact]
    public void Invalid_options_and_prompts_are_rejected_with_the_culprit_named()
    {
        using var model = ModelFixtures.LoadCausal("gpt2_original");
        Assert.Contains("top_p", Assert.ThrowsAny<PeftSharpException>(() => TextGenerator.Generate(model, Prompts, new GenerationOptions { TopP = 0 })).Message);
        Assert.Contains("max_new_tokens", Assert.ThrowsAny<PeftSharpException>(() => TextGenerator.Generate(model, Prompts, new GenerationOptions { MaxNewTokens = 0 })).Message);
        Assert.Contains("prompt 1 is empty", Assert.ThrowsAny<PeftSharpException>(() => TextGenerator.Generate(model, [[1], []], new GenerationOptions())).Message);
        Assert.Contains("token id 64", Assert.ThrowsAny<PeftSharpException>(() => TextGenerator.Generate(model, [[64]], new GenerationOptions())).Message);
        // n_positions is 24
        Assert.Contains("24 positions", Assert.ThrowsAny<PeftSharpException>(() => TextGenerator.Generate(model, Prompts, new GenerationOptions { MaxNewTokens = 20 })).Message);
    }
}
