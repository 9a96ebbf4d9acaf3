using System.Text;

namespace PeftSharp.IO;

/// <summary>UTF-8 that refuses invalid bytes instead of replacing them, so a corrupt file is an error, not silent "�".</summary>
internal static class StrictUtf8
{
    /// <summary>The encoding: no byte-order mark written, invalid bytes throw.</summary>
    public static UTF8Encoding Encoding { get; } = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes <paramref name="bytes"/>; <paramref name="source"/> names them in the error (a leading BOM is skipped).</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.StartsWith("\uFEFF"u8)) bytes = bytes[3..];
        try
        {
            return Encoding.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new PeftSharpException($"{source}: not valid UTF-8 at byte {e.Index}");
        }
    }

    /// <summary>Reads a whole text file as strict UTF-8.</summary>
    public static string ReadAllText(string path) => Decode(File.ReadAllBytes(path), path);
}
