namespace PeftSharp;

/// <summary>
/// The one error type PeftSharp raises for bad input (files, configs, data, hyperparameters).
/// Its message names the culprit (file, line, field, tensor) and what was expected, so the CLI
/// can print it as a single line instead of a stack trace.
/// </summary>
public class PeftSharpException : Exception
{
    public PeftSharpException(string message) : base(message) { }
    public PeftSharpException(string message, Exception inner) : base(message, inner) { }

    /// <summary>
    /// Options (by their library names, e.g. <c>Overwrite</c>) that would let the refused operation go ahead, when the
    /// message says that it can; a front end names them its own way (the CLI appends its flags).
    /// </summary>
    public IReadOnlyList<string> Remedies { get; init; } = [];
}
