using PeftSharp.Data;
using static PeftSharp.Tests.Data.DataTestFiles;

namespace PeftSharp.Tests.Data;

public class CausalLmEncodingTests
{
    private const int Eos = 2;
    private const int I = CausalLmEncoding.IgnoreIndex;

    // A stand-in tokenizer: one id per character (its code point), so expected ids are easy to write.
    private static IReadOnlyList<int> Chars(string text) => text.Select(c => (int)c).ToArray();

    private static CausalLmEncodingOptions Options(int? maxLength = null, LongSequencePolicy policy = LongSequencePolicy.Error, Action<string>? warn = null, int? bos = null) =>
        new() { Encode = Chars, EosId = Eos, BosId = bos, MaxLength = maxLength, LongSequences = policy, Warn = warn };

    [Fact]
    public void Text_is_trained_on_every_token_and_ends_with_eos()
    {
        var encoded = CausalLmEncoding.Encode(new TextExample("ab"), Options());
        Assert.Equal(['a', 'b', Eos], encoded.InputIds);
        Assert.Equal(['a', 'b', Eos], encoded.Labels!);
        Assert.Equal(2, encoded.SupervisedTokens); // the first position is never a target
    }

    [Fact]
    public void Text_without_eos_when_asked()
    {
        var encoded = CausalLmEncoding.Encode(new TextExample("ab"), Options() with { AppendEosToText = false });
        Assert.Equal(['a', 'b'], encoded.InputIds);
    }

    [Fact]
    public void Prompt_completion_masks_the_prompt()
    {
        var encoded = CausalLmEncoding.Encode(new PromptCompletionExample("ab", "c"), Options(bos: 1));
        Assert.Equal([1, 'a', 'b', 'c', Eos], encoded.InputIds);
        Assert.Equal([I, I, I, 'c', Eos], encoded.Labels!);
    }

    [Fact]
    public void E2E_puts_eos_and_a_space_between_MR_and_reference_and_masks_the_MR()
    {
        var encoded = CausalLmEncoding.Encode(new E2EExample("mr", "x"), Options());
        Assert.Equal(['m', 'r', Eos, ' ', 'x', Eos], encoded.InputIds);
        Assert.Equal([I, I, I, ' ', 'x', Eos], encoded.Labels!);
    }

    [Fact]
    public void Commonsense_trains_on_the_whole_prompt_plus_eos()
    {
        var example = new CommonsenseExample("boolq", "Q", "", "the correct answer is true", "true");
        var prompt = CommonsensePrompt.Train(example);
        var encoded = CausalLmEncoding.Encode(example, Options(bos: 1));
        Assert.Equal([1, .. Chars(prompt), Eos], encoded.InputIds);
        Assert.Equal(encoded.InputIds, encoded.Labels);
        var reference = CausalLmEncoding.Encode(example, Options() with { CommonsenseReferenceIndentation = true });
        Assert.Equal([.. Chars(CommonsensePrompt.Train(example, referenceIndentation: true)), Eos], reference.InputIds);
    }

    [Fact]
    public void Token_ids_are_taken_as_given()
    {
        var options = Options(bos: 1);
        Assert.Equal(new EncodedExample([5, 6], [5, 6]), CausalLmEncoding.Encode(new TokenIdsExample([5, 6], null), options), EncodedEquality.Instance);
        Assert.Equal(new EncodedExample([5, 6], [I, 6]), CausalLmEncoding.Encode(new TokenIdsExample([5, 6], [I, 6]), options), EncodedEquality.Instance);
    }

    [Fact]
    public void Over_long_sequences_are_errors_by_default()
    {
        Fails(() => CausalLmEncoding.EncodeAll([new TextExample("a"), new TextExample("abcd")], Options(maxLength: 4), "train.jsonl"),
            "train.jsonl: example #2 is 5 tokens long, more than the maximum length 4");
    }

    [Fact]
    public void Truncation_keeps_the_first_tokens_and_warns_once()
    {
        var warnings = new List<string>();
        var encoded = CausalLmEncoding.EncodeAll([new TextExample("abcdef"), new TextExample("ab"), new TextExample("abcdefgh")],
            Options(maxLength: 4, policy: LongSequencePolicy.Truncate, warn: warnings.Add), "train.jsonl");
        Assert.Equal([['a', 'b', 'c', 'd'], ['a', 'b', Eos], ['a', 'b', 'c', 'd']], encoded.Select(e => e.InputIds));
        Assert.Equal("train.jsonl: 2 of 3 examples were longer than 4 tokens and were truncated (longest: #3, 9 tokens)", Assert.Single(warnings));
    }

    [Fact]
    public void Commonsense_truncation_matches_the_reference_cutoff()
    {
        // Reference: tokenize with truncation to cutoff_len, then append EOS only if shorter than cutoff_len.
        var example = new CommonsenseExample(null, "Q", "", "o", "true");
        int promptLength = Chars(CommonsensePrompt.Train(example)).Count;
        var options = Options(policy: LongSequencePolicy.Truncate);
        var fits = CausalLmEncoding.EncodeAll([example], options with { MaxLength = promptLength + 1 })[0];
        Assert.Equal(Eos, fits.InputIds[^1]);
        var cut = CausalLmEncoding.EncodeAll([example], options with { MaxLength = promptLength })[0];
        Assert.Equal(Chars(CommonsensePrompt.Train(example)), cut.InputIds);
    }

    [Fact]
    public void Examples_with_nothing_to_predict_are_dropped_with_a_warning()
    {
        var warnings = new List<string>();
        var options = Options(maxLength: 3, policy: LongSequencePolicy.Truncate, warn: warnings.Add);
        var encoded = CausalLmEncoding.EncodeAll(
            [new PromptCompletionExample("abcdef", "x"), new TokenIdsExample([7], null), new TextExample("a")], options, "d");
        Assert.Equal([['a', Eos]], encoded.Select(e => e.InputIds));
        Assert.Contains("d: dropped 2 example(s) with no token to predict (first: #1)", warnings);
        Fails(() => CausalLmEncoding.EncodeAll([new TokenIdsExample([7], null)], options, "d"), "d: no example has a token to predict");
    }

    [Fact]
    public void Classification_examples_are_not_causal_lm_examples() =>
        Fails(() => CausalLmEncoding.EncodeAll([new ClassificationExample("a", null, 1)], Options(), "glue"),
            "glue: example #1 is a ClassificationExample, which is not a causal-LM training example");

    private sealed class EncodedEquality : IEqualityComparer<EncodedExample>
    {
        public static readonly EncodedEquality Instance = new();
        public bool Equals(EncodedExample? x, EncodedExample? y) => x!.InputIds.SequenceEqual(y!.InputIds) && x.Labels.SequenceEqual(y.Labels);
        public int GetHashCode(EncodedExample obj) => 0;
    }
}
