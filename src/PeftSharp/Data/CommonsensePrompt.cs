using System.Text;

namespace PeftSharp.Data;

/// <summary>
/// The Alpaca-style prompt of the LLM-Adapters / DoRA commonsense setup.
/// </summary>
/// <remarks>
/// Clean template (default), no-input branch, used for training (with the output) and evaluation
/// (ending after "### Response:\n"):
/// <code>Below is an instruction that describes a task. Write a response that appropriately completes the request.␣␣\n\n### Instruction:\n{instruction}\n\n### Response:\n{output}</code>
/// With <c>referenceIndentation</c> the prompts are the reference scripts' strings byte for byte:
/// their Python triple-quoted f-strings carry 16 spaces of indentation at the start of every line
/// after the first blank one. The training script (finetune.py) and the evaluation script
/// (commonsense_evaluate.py) differ: training has two spaces after "request." and 16 spaces on the
/// blank line between sections; evaluation has one space after "request." and truly empty blank lines.
/// A non-empty <c>input</c> selects the reference's "paired with an input" branch with an
/// "### Input:" section (the commonsense files always have an empty input).
/// </remarks>
public static class CommonsensePrompt
{
    private const string Indent = "                "; // 16 spaces, as in the reference scripts
    private const string NoInputHeader = "Below is an instruction that describes a task. Write a response that appropriately completes the request.";
    private const string InputHeader = "Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.";

    /// <summary>The training text: the prompt followed by the example's output (EOS is added by the encoder).</summary>
    public static string Train(CommonsenseExample example, bool referenceIndentation = false) =>
        Build(example.Instruction, example.Input, example.Output, referenceIndentation, evaluation: false);

    /// <summary>The evaluation prompt: the template ending right after "### Response:\n" (plus indentation in reference mode).</summary>
    public static string Eval(CommonsenseExample example, bool referenceIndentation = false) =>
        Build(example.Instruction, example.Input, "", referenceIndentation, evaluation: true);

    private static string Build(string instruction, string input, string response, bool reference, bool evaluation)
    {
        bool hasInput = input.Length > 0;
        // Whitespace after "request.": clean mode always uses the training script's.
        string trailing = (hasInput, reference && evaluation) switch
        {
            (false, false) => "  ",
            (false, true) => " ",
            (true, false) => " ",
            (true, true) => "",
        };
        string indent = reference ? Indent : "";
        string blank = reference && !evaluation ? Indent : "";
        var sections = new List<(string Title, string Body)> { ("Instruction", instruction) };
        if (hasInput) sections.Add(("Input", input));
        sections.Add(("Response", response));

        var text = new StringBuilder(hasInput ? InputHeader : NoInputHeader).Append(trailing).Append("\n\n");
        for (int i = 0; i < sections.Count; i++)
        {
            if (i > 0) text.Append('\n').Append(blank).Append('\n');
            text.Append(indent).Append("### ").Append(sections[i].Title).Append(":\n").Append(indent).Append(sections[i].Body);
        }
        return text.ToString();
    }
}
