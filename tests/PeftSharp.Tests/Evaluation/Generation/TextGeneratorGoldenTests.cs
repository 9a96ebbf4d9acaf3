using PeftSharp.Evaluation.Generation;
using PeftSharp.Tests.Models;

namespace PeftSharp.Tests.Evaluation.Generation;

/// <summary>Generation on the golden checkpoints against the reference's greedy and beam-search results.</summary>
public class TextGeneratorGoldenTests
{
    [Theory]
    [MemberData(nameof(ModelFixtures.Causal), MemberType = typeof(ModelFixtures))]
    public void Greedy_continuation_equals_the_reference(string name)
    {
        using var model = ModelFixtures.LoadCausal(name);
        var greedy = ModelFixtures.Expected(name).GetProperty("greedy");
        var prompt = ModelFixtures.Ints(greedy.GetProperty("prompt"));
        var output = TextGenerator.Generate(model, [prompt], new GenerationOptions { MaxNewTokens = greedy.GetProperty("max_new_tokens").GetInt32() });
        Assert.Equal(ModelFixtures.Ints(greedy.GetProperty("tokens")), output[0]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Beam_search_equals_the_reference_with_length_penalty_ngram_ban_and_eos(bool useCache)
    {
        using var model = ModelFixtures.LoadCausal("gpt2_original");
        var beam = ModelFixtures.Expected("gpt2_original").GetProperty("beam");
        var options = new GenerationOptions
        {
            NumBeams = beam.GetProperty("num_beams").GetInt32(),
            MaxNewTokens = beam.GetProperty("max_new_tokens").GetInt32(),
            EosTokenIds = [beam.GetProperty("eos_token_id").GetInt32()],
            LengthPenalty = beam.GetProperty("length_penalty").GetDouble(),
            NoRepeatNgramSize = beam.GetProperty("no_repeat_ngram_size").GetInt32(),
            UseCache = useCache,
        };
        var output = TextGenerator.Generate(model, [ModelFixtures.Ints(beam.GetProperty("prompt"))], options);
        Assert.Equal(ModelFixtures.Ints(beam.GetProperty("tokens")), output[0]);
    }
}
