using System.Text.RegularExpressions;

namespace PeftSharp.Data;

/// <summary>
/// One of the eight commonsense-reasoning tasks of the LLM-Adapters / DoRA setup, named as the
/// reference's <c>dataset/&lt;task&gt;/</c> folders, with the answers the evaluation recognises.
/// </summary>
/// <param name="Name">boolq, piqa, social_i_qa, hellaswag, winogrande, ARC-Challenge, ARC-Easy or openbookqa.</param>
/// <param name="Answers">The answer strings, in the order of the reference's extraction pattern.</param>
public sealed record CommonsenseTask(string Name, string[] Answers)
{
    private const string ResponseMarker = "### Response:";

    // The reference's pattern, e.g. "answer1|answer2|answer3|answer4|answer5" (Regex's static cache keeps it compiled).
    private string Pattern => string.Join("|", Answers.Select(Regex.Escape));

    /// <summary>The eight tasks.</summary>
    public static IReadOnlyList<CommonsenseTask> All { get; } =
    [
        new("boolq", ["true", "false"]),
        new("piqa", ["solution1", "solution2"]),
        new("social_i_qa", ["answer1", "answer2", "answer3", "answer4", "answer5"]),
        new("hellaswag", ["ending1", "ending2", "ending3", "ending4"]),
        new("winogrande", ["option1", "option2"]),
        new("ARC-Challenge", ["answer1", "answer2", "answer3", "answer4", "answer5"]),
        new("ARC-Easy", ["answer1", "answer2", "answer3", "answer4", "answer5"]),
        new("openbookqa", ["answer1", "answer2", "answer3", "answer4", "answer5"]),
    ];

    /// <summary>
    /// Looks a task up by name ignoring case, '-' and '_'; short names are accepted too
    /// (siqa, arc-c, arc-e, obqa).
    /// </summary>
    public static CommonsenseTask Get(string name)
    {
        var key = name.Replace("-", "").Replace("_", "").ToLowerInvariant() switch
        {
            "siqa" => "socialiqa",
            "arcc" => "arcchallenge",
            "arce" => "arceasy",
            "obqa" => "openbookqa",
            var other => other,
        };
        return All.FirstOrDefault(t => t.Name.Replace("-", "").Replace("_", "").ToLowerInvariant() == key)
            ?? throw new PeftSharpException($"unknown commonsense task '{name}'; expected one of {string.Join(", ", All.Select(t => t.Name))}");
    }

    /// <summary>
    /// The reference evaluation's answer: the first match of the task's answers in the text after the
    /// last "### Response:" (the whole text when there is none), or <c>null</c> when nothing matches
    /// (counted as wrong). Matching is case-sensitive, as in the reference.
    /// </summary>
    public string? ExtractAnswer(string generated)
    {
        int marker = generated.LastIndexOf(ResponseMarker, StringComparison.Ordinal);
        var response = (marker >= 0 ? generated[(marker + ResponseMarker.Length)..] : generated).Trim();
        var match = Regex.Match(response, Pattern, RegexOptions.CultureInvariant);
        return match.Success ? match.Value : null;
    }
}
