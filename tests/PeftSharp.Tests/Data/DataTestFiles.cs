using System.Text;

namespace PeftSharp.Tests.Data;

internal static class DataTestFiles
{
    public static string Fixture(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "fixtures", "data", .. parts]);

    public static MemoryStream Utf8(string text) => new(Encoding.UTF8.GetBytes(text));

    /// <summary>Asserts that <paramref name="read"/> raises a PeftSharpException whose message contains every fragment.</summary>
    public static PeftSharpException Fails(Action read, params string[] fragments)
    {
        var error = Assert.ThrowsAny<PeftSharpException>(read);
        foreach (var fragment in fragments) Assert.Contains(fragment, error.Message);
        return error;
    }
}
