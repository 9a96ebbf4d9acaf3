using PeftSharp.Evaluation.Generation;
using PeftSharp.Tokenization;
using PeftSharp.Workflows;

namespace PeftSharp.Tests.Evaluation.Generation;

/// <summary>A model's generation_config.json (or config.json) as transformers reads it, and how given options override it.</summary>
public class GenerationConfigTests
{
    private static string ModelFolder(string? generationConfig, string config = """{"model_type": "gpt2", "eos_token_id": 7, "pad_token_id": 1}""")
    {
        var dir = Directory.CreateTempSubdirectory("peft-genconfig-").FullName;
        File.WriteAllText(Path.Combine(dir, "config.json"), config);
        if (generationConfig is not null) File.WriteAllText(Path.Combine(dir, "generation_config.json"), generationConfig);
        return dir;
    }

    [Fact]
    public void Generation_config_json_is_read_with_transformers_field_names()
    {
        var warnings = new List<string>();
        var options = GenerationOptions.FromModelFolder(ModelFolder("""
            {"_from_model_config": true, "transformers_version": "4.56.0", "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009],
             "pad_token_id": 3, "do_sample": true, "temperature": 0.6, "top_k": 40, "top_p": 0.9, "num_beams": 4, "length_penalty": 0.8,
             "no_repeat_ngram_size": 3, "early_stopping": "never", "max_length": 4096, "use_cache": true, "repetition_penalty": 1.0}
            """), warnings.Add);
        Assert.Equal(new GenerationOptions
        {
            BosTokenId = 128000, EosTokenIds = options.EosTokenIds, PadTokenId = 3, DoSample = true, Temperature = 0.6, TopK = 40, TopP = 0.9,
            NumBeams = 4, LengthPenalty = 0.8, NoRepeatNgramSize = 3, EarlyStopping = EarlyStopping.Never, MaxLength = 4096, UseCache = true,
        }, options);
        Assert.Equal([128001, 128008, 128009], options.EosTokenIds!);
        Assert.Empty(warnings); // metadata and fields at their defaults pass silently
        Assert.Equal(EarlyStopping.WhenBeamsFinished, GenerationOptions.FromModelFolder(ModelFolder("""{"early_stopping": true}""")).EarlyStopping);
        Assert.Equal(EarlyStopping.Heuristic, GenerationOptions.FromModelFolder(ModelFolder("""{"early_stopping": false, "eos_token_id": 5}""")).EarlyStopping);
    }

    [Fact]
    public void Without_generation_config_json_the_generation_fields_of_config_json_count()
    {
        var options = GenerationOptions.FromModelFolder(ModelFolder(null, """{"model_type": "bart", "eos_token_id": 2, "num_beams": 4, "early_stopping": true, "n_layer": 2}"""));
        Assert.Equal([2], options.EosTokenIds!);
        Assert.Equal((4, EarlyStopping.WhenBeamsFinished), (options.NumBeams, options.EarlyStopping));
    }

    [Fact]
    public void Output_changing_fields_PeftSharp_lacks_are_named_and_bad_values_name_the_file_and_field()
    {
        var warnings = new List<string>();
        GenerationOptions.FromModelFolder(ModelFolder("""{"repetition_penalty": 1.2, "num_return_sequences": 1, "min_length": 0, "cache_implementation": "static"}"""), warnings.Add);
        Assert.Contains("repetition_penalty", Assert.Single(warnings));
        var e = Assert.ThrowsAny<PeftSharpException>(() => GenerationOptions.FromModelFolder(ModelFolder("""{"early_stopping": "sometimes"}""")));
        Assert.Contains("generation_config.json", e.Message);
        Assert.Contains("early_stopping", e.Message);
    }

    [Fact]
    public void Given_options_win_and_the_length_is_one_setting()
    {
        var model = new GenerationOptions { NumBeams = 4, EarlyStopping = EarlyStopping.Never, MaxLength = 100, TopK = 10 };
        var merged = new GenerationOptions { NumBeams = 2, MaxNewTokens = 16 }.Over(model);
        Assert.Equal((2, EarlyStopping.Never, 10), (merged.NumBeams, merged.EarlyStopping, merged.TopK));
        Assert.Equal(((int?)16, (int?)null), (merged.MaxNewTokens, merged.MaxLength)); // the model's max_length does not survive a given max_new_tokens
        Assert.Equal((int?)100, new GenerationOptions().Over(model).MaxLength);
    }

    [Fact]
    public void Max_length_counts_the_longest_prompt_as_transformers_does()
    {
        Assert.Equal(6, new GenerationOptions { MaxLength = 10 }.Resolve([0], longestPrompt: 4).MaxNewTokens);
        Assert.Equal(GenerationOptions.DefaultMaxNewTokens, new GenerationOptions().Resolve([0], longestPrompt: 4).MaxNewTokens);
        var e = Assert.ThrowsAny<PeftSharpException>(() => new GenerationOptions { MaxLength = 4 }.Resolve([0], longestPrompt: 4));
        Assert.Contains("max_length", e.Message);
        var defaults = new GenerationOptions().Resolve([9, 8], 1);
        Assert.Equal((EarlyStopping.Heuristic, 1, 50, 1.0, 9), (defaults.EarlyStopping, defaults.NumBeams, defaults.TopK, defaults.LengthPenalty, defaults.Pad));
    }

    [Fact]
    public void Workflows_take_the_model_config_under_given_options_and_also_stop_at_the_tokenizers_EOS()
    {
        var folder = ModelFolder("""{"eos_token_id": [5, 6], "num_beams": 3, "early_stopping": "never", "max_new_tokens": 12}""");
        var tokenizer = TokenizerLoader.Load(Fixtures.PathOf("tokenization", "gpt2-tiny"));
        var resolved = WorkflowGeneration.Resolve(new GenerationOptions { NumBeams = 2 }, folder, tokenizer, [7], _ => { });
        Assert.Equal((2, EarlyStopping.Never, 12), (resolved.NumBeams, resolved.EarlyStopping, resolved.MaxNewTokens));
        Assert.Equal([5, 6, tokenizer.EosTokenId!.Value], resolved.EosTokenIds!);
        var given = WorkflowGeneration.Resolve(new GenerationOptions { EosTokenIds = [4] }, folder, tokenizer, [7], _ => { });
        Assert.Equal([4], given.EosTokenIds!);
        var bare = WorkflowGeneration.Resolve(new GenerationOptions(), ModelFolder(null, """{"model_type": "gpt2"}"""), tokenizer, [7], _ => { });
        Assert.Equal(WorkflowGeneration.DefaultMaxNewTokens, bare.MaxNewTokens);
        Assert.Null(bare.EarlyStopping); // HF's default (the heuristic) applies: beams no longer force early stopping
    }

    [Fact]
    public void An_empty_prompt_starts_from_bos_token_id()
    {
        var p = new double[3, 3];
        (p[0, 1], p[1, 2], p[2, 2]) = (1, 1, 1);
        using var model = new TableModel(p, 2);
        Assert.Equal([1, 2], TextGenerator.Generate(model, [[]], new GenerationOptions { BosTokenId = 0, MaxNewTokens = 4 })[0]);
        Assert.Contains("bos_token_id", Assert.ThrowsAny<PeftSharpException>(() => TextGenerator.Generate(model, [[]], new GenerationOptions())).Message);
    }
}
