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
}
