namespace PeftSharp.Evaluation.Generation;

/// <summary>The settings one generation runs with: <see cref="GenerationOptions"/> with every default resolved.</summary>
internal sealed record Decoding(
    int MaxNewTokens, bool DoSample, double Temperature, int TopK, double TopP, int NumBeams, double LengthPenalty,
    int NoRepeatNgramSize, EarlyStopping EarlyStopping, IReadOnlyList<int> Eos, int Pad, long? Seed, bool UseCache);
