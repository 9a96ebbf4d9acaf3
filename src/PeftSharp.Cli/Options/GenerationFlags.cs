using System.CommandLine;
using PeftSharp.Evaluation.Generation;

namespace PeftSharp.Cli.Options;

/// <summary>
/// The decoding flags of generate, eval and train (for generation-evaluated tasks). Each is unset unless given, so the
/// model's generation_config.json decides what the command line does not, as transformers' generate() arguments
/// override the model's generation config; what neither sets takes HF's default (32 new tokens for the length).
/// </summary>
internal sealed class GenerationFlags
{
    private const string FromModel = "default: the model's generation_config.json, else";
    private readonly Option<int?> maxNewTokens, numBeams, noRepeatNgram, topK;
    private readonly Option<double?> lengthPenalty, temperature, topP;
    private readonly Option<string?> earlyStopping, sample;

    public GenerationFlags(OptionSet o)
    {
        maxNewTokens = o.Maybe<int>("max-new-tokens", $"Tokens to generate per prompt ({FromModel} 32)");
        numBeams = o.Maybe<int>("num-beams", $"Beam search width ({FromModel} 1 = greedy or sampling)");
        lengthPenalty = o.Maybe<double>("length-penalty", $"Beam search ranks hypotheses by sum(log p) / length^penalty ({FromModel} 1)");
        noRepeatNgram = o.Maybe<int>("no-repeat-ngram", $"Forbid repeating n-grams of this size, 0 = off ({FromModel} 0)");
        earlyStopping = o.Add<string?>("early-stopping",
            $"When beam search stops: false = when the best running beam is unlikely to beat the finished ones, true = as soon as num-beams hypotheses are finished, never = when none can ({FromModel} false)",
            choices: ["false", "true", "never"]);
        sample = o.Add<string?>("sample", $"Sample instead of greedy / beam decoding; --sample false forces greedy ({FromModel} false)", choices: ["true", "false"]);
        sample.Arity = ArgumentArity.ZeroOrOne; // --sample alone means true
        temperature = o.Maybe<double>("temperature", $"Sampling temperature ({FromModel} 1)");
        topK = o.Maybe<int>("top-k", $"Sample among the k most likely tokens, 0 = all ({FromModel} 50)");
        topP = o.Maybe<double>("top-p", $"Nucleus sampling mass ({FromModel} 1)");
    }

    /// <summary>The options given on the command line (the rest unset).</summary>
    public GenerationOptions Given(ParseResult p) => new()
    {
        MaxNewTokens = p.GetValue(maxNewTokens), NumBeams = p.GetValue(numBeams), LengthPenalty = p.GetValue(lengthPenalty),
        NoRepeatNgramSize = p.GetValue(noRepeatNgram), Temperature = p.GetValue(temperature), TopK = p.GetValue(topK), TopP = p.GetValue(topP),
        EarlyStopping = p.GetValue(earlyStopping) switch
        {
            null => null,
            "true" => EarlyStopping.WhenBeamsFinished,
            "never" => EarlyStopping.Never,
            _ => EarlyStopping.Heuristic,
        },
        DoSample = p.GetResult(sample) is null ? null : p.GetValue(sample) != "false",
    };
}
