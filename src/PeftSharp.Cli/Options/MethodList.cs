using PeftSharp.Tuners;

namespace PeftSharp.Cli.Options;

/// <summary>A comma-separated list of method names (--methods), every name checked before any work starts.</summary>
internal static class MethodList
{
    public static IReadOnlyList<PeftMethod> Parse(string text, string flag)
    {
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new PeftSharpException($"{flag} names no method");
        try
        {
            return names.Select(PeftMethods.Get).ToList();
        }
        catch (InvalidOptionException e)
        {
            throw new PeftSharpException(e.MessageFor(flag));
        }
    }
}
