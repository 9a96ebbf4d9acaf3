namespace PeftSharp.Cli.Options;

/// <summary>
/// Which flag sets which library option, so that a library error naming an option by its own name
/// (<c>LearningRate</c>, <c>lora_alpha</c>) is shown with the flag the user typed (<c>--lr</c>, <c>--lora-alpha</c>).
/// </summary>
internal static class FlagNames
{
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal);

    public static void Bind(string libraryName, string flag) => Flags[libraryName] = flag;

    public static string? For(string libraryName) => Flags.GetValueOrDefault(libraryName);
}
