using System.Text.Json.Serialization;

namespace PeftSharp.Evaluation.Generation;

/// <summary>When beam search stops a prompt (HF <c>early_stopping</c>: false, true or "never"; on disk and on the command line as those values).</summary>
[JsonConverter(typeof(EarlyStoppingJsonConverter))]
public enum EarlyStopping
{
    /// <summary>HF <c>false</c>, its default: stop once num_beams hypotheses are finished and the best running beam, scored at its current length, cannot beat the worst of them.</summary>
    Heuristic,
    /// <summary>HF <c>true</c>: stop as soon as num_beams hypotheses are finished.</summary>
    WhenBeamsFinished,
    /// <summary>HF <c>"never"</c>: stop only when no running beam can beat the finished ones even at the longest length (canonical beam search; with length_penalty ≤ 0 the same as the heuristic).</summary>
    Never,
}
