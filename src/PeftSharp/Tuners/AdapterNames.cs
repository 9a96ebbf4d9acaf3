namespace PeftSharp.Tuners;

/// <summary>Adapter names become folder names on save: they must never escape the output folder.</summary>
internal static class AdapterNames
{
    public static void Validate(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name is "." or ".." || name.Length > 100 ||
            name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')))
            throw new PeftSharpException($"invalid adapter name '{name}': use 1–100 characters from letters, digits, '_', '-', '.' (not '.' or '..')");
    }
}
