using System.Text.Json;
using PeftSharp.Evaluation.Generation;

namespace PeftSharp.Tests.Evaluation.Generation;

/// <summary>
/// Beam search under each early_stopping mode and greedy decoding with two EOS ids, on a fixed-logits model, against the
/// outputs of transformers' beam search re-implemented in tools/golden/generation/make_beam_search_fixtures.py.
/// </summary>
public class BeamSearchEarlyStoppingTests
{
    private static readonly JsonElement Fixture = JsonDocument.Parse(File.ReadAllText(Fixtures.PathOf("generation", "beam_search_early_stopping.json"))).RootElement;

    private static TableModel Model()
    {
        var rows = Fixture.GetProperty("logits").EnumerateArray().Select(r => r.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray()).ToArray();
        var logits = new float[rows.Length, rows.Length];
        for (var i = 0; i < rows.Length; i++)
            for (var j = 0; j < rows.Length; j++) logits[i, j] = rows[i][j];
        return new TableModel(logits, eos: []);
    }

    private static int[][] Lists(JsonElement e) => e.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();

    private static readonly int[][] Prompts = Lists(Fixture.GetProperty("prompts"));

    private static GenerationOptions Options => new()
    {
        EosTokenIds = Fixture.GetProperty("eos_token_id").EnumerateArray().Select(v => v.GetInt32()).ToArray(),
        MaxNewTokens = Fixture.GetProperty("max_new_tokens").GetInt32(),
    };

    [Theory]
    [InlineData("false", EarlyStopping.Heuristic)]
    [InlineData("true", EarlyStopping.WhenBeamsFinished)]
    [InlineData("never", EarlyStopping.Never)]
    public void Beam_search_gives_transformers_hypotheses_under_each_early_stopping_mode(string hfValue, EarlyStopping mode)
    {
        using var model = Model();
        var options = Options with
        {
            NumBeams = Fixture.GetProperty("num_beams").GetInt32(),
            LengthPenalty = Fixture.GetProperty("length_penalty").GetDouble(),
            EarlyStopping = mode,
        };
        var expected = Lists(Fixture.GetProperty("beam").GetProperty(hfValue));
        Assert.Equal(expected, TextGenerator.Generate(model, Prompts, options));
        for (var i = 0; i < Prompts.Length; i++) Assert.Equal(expected[i], TextGenerator.Generate(model, [Prompts[i]], options)[0]);
    }

    [Fact]
    public void The_three_modes_disagree_on_the_fixture()
    {
        var answers = new[] { "false", "true", "never" }.Select(m => string.Join(",", Lists(Fixture.GetProperty("beam").GetProperty(m))[0])).ToList();
        Assert.Equal(3, answers.Distinct().Count());
    }

    [Fact]
    public void Greedy_decoding_stops_each_row_at_the_first_of_any_EOS_id()
    {
        using var model = Model();
        var output = TextGenerator.Generate(model, Prompts, Options);
        var expected = Lists(Fixture.GetProperty("greedy"));
        Assert.Equal(expected, output);
        Assert.Equal(Options.EosTokenIds!.Order(), output.Select(o => o[^1]).Order()); // each row ends at a different one of the ids
    }
}
