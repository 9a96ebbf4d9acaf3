namespace PeftSharp.Evaluation.Generation;

/// <summary>
/// How <see cref="TextGenerator"/> decodes. Defaults follow HF's GenerationConfig: greedy, top_k 50
/// and top_p 1 when sampling, length_penalty 1, early_stopping false (HF's heuristic).
/// </summary>
public sealed record GenerationOptions
{
    /// <summary>Most tokens generated per prompt.</summary>
    public int MaxNewTokens { get; init; } = 20;
    /// <summary>Sample from the (warped) distribution instead of taking the most likely token.</summary>
    public bool DoSample { get; init; }
    /// <summary>Sampling temperature (logits are divided by it).</summary>
    public double Temperature { get; init; } = 1.0;
    /// <summary>Sampling keeps the k most likely tokens; 0 disables.</summary>
    public int TopK { get; init; } = 50;
    /// <summary>Sampling keeps the smallest set of tokens whose probability reaches p; 1 disables.</summary>
    public double TopP { get; init; } = 1.0;
    /// <summary>Beam width; 1 = greedy or sampling.</summary>
    public int NumBeams { get; init; } = 1;
    /// <summary>Beam search ranks finished hypotheses by sum(log p) / generated_length^length_penalty.</summary>
    public double LengthPenalty { get; init; } = 1.0;
    /// <summary>Never repeat an n-gram of this size within a sequence (prompt included); 0 disables.</summary>
    public int NoRepeatNgramSize { get; init; }
    /// <summary>Beam search stops a prompt as soon as num_beams hypotheses are finished (HF early_stopping=true).</summary>
    public bool EarlyStopping { get; init; }
    /// <summary>End-of-sequence ids; null = the model config's.</summary>
    public IReadOnlyList<int>? EosTokenIds { get; init; }
    /// <summary>Id used for left padding and after a sequence finished; null = the first EOS id, else 0.</summary>
    public int? PadTokenId { get; init; }
    /// <summary>Seed of the sampling random generator; null = torch's global generator.</summary>
    public long? Seed { get; init; }
    /// <summary>Reuse keys/values of earlier positions (results are the same as recomputing).</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>Throws <see cref="PeftSharpException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        static void Check(bool ok, string message)
        {
            if (!ok) throw new PeftSharpException($"generation options: {message}");
        }
        Check(MaxNewTokens >= 1, $"max_new_tokens must be at least 1, got {MaxNewTokens}");
        Check(NumBeams >= 1, $"num_beams must be at least 1, got {NumBeams}");
        Check(Temperature > 0 && double.IsFinite(Temperature), $"temperature must be positive, got {Temperature}");
        Check(TopK >= 0, $"top_k must be 0 (off) or positive, got {TopK}");
        Check(TopP is > 0 and <= 1, $"top_p must be in (0, 1], got {TopP}");
        Check(double.IsFinite(LengthPenalty), $"length_penalty must be finite, got {LengthPenalty}");
        Check(NoRepeatNgramSize >= 0, $"no_repeat_ngram_size must be 0 (off) or positive, got {NoRepeatNgramSize}");
        Check(!(DoSample && NumBeams > 1), "sampling with beams (beam sample) is not supported: use do_sample or num_beams > 1");
        Check(PadTokenId is null or >= 0, $"pad_token_id must be a token id, got {PadTokenId}");
    }
}
