using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using PeftSharp.IO;

namespace PeftSharp.Evaluation.Generation;

/// <summary>
/// How <see cref="TextGenerator"/> decodes, with HuggingFace's GenerationConfig fields (their names on disk, as in a
/// model's generation_config.json). A null field is unset: <see cref="Over"/> fills it from other options (the model's
/// <see cref="FromModelFolder"/>), and what is still unset takes HF's default — greedy; top_k 50, top_p 1 and
/// temperature 1 when sampling; one beam; length_penalty 1; early_stopping false (HF's heuristic); no n-gram ban; the
/// model config's EOS ids — except the length: 20 new tokens (HF's max_length 20 counts the prompt too).
/// </summary>
public sealed record GenerationOptions
{
    /// <summary>The number of new tokens when neither <see cref="MaxNewTokens"/> nor <see cref="MaxLength"/> is set.</summary>
    public const int DefaultMaxNewTokens = 20;

    /// <summary>Most tokens generated per prompt (HF max_new_tokens); wins over <see cref="MaxLength"/>.</summary>
    public int? MaxNewTokens { get; init; }
    /// <summary>Most tokens of the longest prompt and its continuation together (HF max_length).</summary>
    public int? MaxLength { get; init; }
    /// <summary>Sample from the (warped) distribution instead of taking the most likely token.</summary>
    public bool? DoSample { get; init; }
    /// <summary>Sampling temperature (logits are divided by it).</summary>
    public double? Temperature { get; init; }
    /// <summary>Sampling keeps the k most likely tokens; 0 disables.</summary>
    public int? TopK { get; init; }
    /// <summary>Sampling keeps the smallest set of tokens whose probability reaches p; 1 disables.</summary>
    public double? TopP { get; init; }
    /// <summary>Beam width; 1 = greedy or sampling.</summary>
    public int? NumBeams { get; init; }
    /// <summary>Beam search ranks finished hypotheses by sum(log p) / generated_length^length_penalty.</summary>
    public double? LengthPenalty { get; init; }
    /// <summary>Never repeat an n-gram of this size within a sequence (prompt included); 0 disables.</summary>
    public int? NoRepeatNgramSize { get; init; }
    /// <summary>When beam search stops a prompt.</summary>
    public EarlyStopping? EarlyStopping { get; init; }
    /// <summary>End-of-sequence ids: generation stops at any of them (HF eos_token_id, one id or a list).</summary>
    [JsonPropertyName("eos_token_id"), JsonConverter(typeof(OneOrManyJsonConverter<int>))]
    public IReadOnlyList<int>? EosTokenIds { get; init; }
    /// <summary>Id used for left padding and after a sequence finished; unset = the first EOS id, else 0.</summary>
    public int? PadTokenId { get; init; }
    /// <summary>The token an empty prompt starts from (HF bos_token_id).</summary>
    public int? BosTokenId { get; init; }
    /// <summary>Reuse keys/values of earlier positions (results are the same as recomputing).</summary>
    public bool? UseCache { get; init; }
    /// <summary>Seed of the sampling random generator; unset = torch's global generator. Not an HF field.</summary>
    [JsonIgnore]
    public long? Seed { get; init; }

    /// <summary>HF generation_config.json field names: snake_case, EOS as eos_token_id.</summary>
    internal static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <summary>
    /// These options with every unset field taken from <paramref name="defaults"/>. The length is one setting: when
    /// either <see cref="MaxNewTokens"/> or <see cref="MaxLength"/> is set here, both come from here.
    /// </summary>
    public GenerationOptions Over(GenerationOptions defaults)
    {
        var merged = this with { };
        foreach (var property in typeof(GenerationOptions).GetProperties())
            if (property.GetValue(this) is null) property.SetValue(merged, property.GetValue(defaults));
        return MaxNewTokens is null && MaxLength is null ? merged : merged with { MaxNewTokens = MaxNewTokens, MaxLength = MaxLength };
    }

    /// <summary>
    /// The generation settings of a HuggingFace model folder, as transformers reads them: generation_config.json when
    /// present, else the generation fields of config.json (eos_token_id, pad_token_id, …). Fields of
    /// generation_config.json that PeftSharp does not implement and that change the output are named in
    /// <paramref name="warn"/>.
    /// </summary>
    public static GenerationOptions FromModelFolder(string modelDirectory, Action<string>? warn = null)
    {
        var generationConfig = Path.Combine(modelDirectory, "generation_config.json");
        var source = File.Exists(generationConfig) ? generationConfig : Path.Combine(modelDirectory, "config.json");
        if (!File.Exists(source)) return new();
        var json = TypedJson.ReadObject(source);
        var options = TypedJson.Read<GenerationOptions>(json, source, Json, out var unknown);
        if (source == generationConfig)
            foreach (var key in unknown)
                if (UnsupportedGenerationFields.Warning(source, key, json[key]) is { } warning) warn?.Invoke(warning);
        return options;
    }

    /// <summary>Throws <see cref="PeftSharpException"/> naming the first invalid option that is set.</summary>
    public void Validate()
    {
        static void Check(bool ok, string message)
        {
            if (!ok) throw new PeftSharpException($"generation options: {message}");
        }
        Check(MaxNewTokens is null or >= 1, $"max_new_tokens must be at least 1, got {MaxNewTokens}");
        Check(MaxLength is null or >= 1, $"max_length must be at least 1, got {MaxLength}");
        Check(NumBeams is null or >= 1, $"num_beams must be at least 1, got {NumBeams}");
        Check(Temperature is null || (Temperature > 0 && double.IsFinite(Temperature.Value)), $"temperature must be positive, got {Temperature}");
        Check(TopK is null or >= 0, $"top_k must be 0 (off) or positive, got {TopK}");
        Check(TopP is null or > 0 and <= 1, $"top_p must be in (0, 1], got {TopP}");
        Check(LengthPenalty is null || double.IsFinite(LengthPenalty.Value), $"length_penalty must be finite, got {LengthPenalty}");
        Check(NoRepeatNgramSize is null or >= 0, $"no_repeat_ngram_size must be 0 (off) or positive, got {NoRepeatNgramSize}");
        Check(!(DoSample == true && NumBeams > 1), "sampling with beams (beam sample) is not supported: use do_sample or num_beams > 1");
        Check(PadTokenId is null or >= 0, $"pad_token_id must be a token id, got {PadTokenId}");
        Check(BosTokenId is null or >= 0, $"bos_token_id must be a token id, got {BosTokenId}");
        Check(EosTokenIds is null || EosTokenIds.All(id => id >= 0), $"eos_token_id must be token ids, got [{string.Join(", ", EosTokenIds ?? [])}]");
    }

    /// <summary>
    /// The settings a generation runs with: unset fields take HF's defaults, the EOS ids the model's, the length
    /// <see cref="MaxNewTokens"/>, else <see cref="MaxLength"/> minus the longest prompt, else <see cref="DefaultMaxNewTokens"/>.
    /// </summary>
    internal Decoding Resolve(IReadOnlyList<int> modelEosTokenIds, int longestPrompt)
    {
        Validate();
        var maxNewTokens = MaxNewTokens ?? (MaxLength is { } total ? total - longestPrompt : DefaultMaxNewTokens);
        if (maxNewTokens < 1)
            throw new PeftSharpException($"generation options: max_length {MaxLength} leaves no room after a prompt of {longestPrompt} tokens; raise max_length or set max_new_tokens");
        var eos = EosTokenIds ?? modelEosTokenIds;
        return new Decoding(maxNewTokens, DoSample ?? false, Temperature ?? 1.0, TopK ?? 50, TopP ?? 1.0, NumBeams ?? 1, LengthPenalty ?? 1.0,
            NoRepeatNgramSize ?? 0, EarlyStopping ?? Generation.EarlyStopping.Heuristic, eos, PadTokenId ?? (eos.Count > 0 ? eos[0] : 0), Seed, UseCache ?? true);
    }
}
