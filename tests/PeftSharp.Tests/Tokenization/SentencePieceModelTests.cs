using System.Text;
using PeftSharp.Tokenization;

namespace PeftSharp.Tests.Tokenization;

/// <summary>
/// SentencePiece models the official library refuses are refused with a message naming the file; small hand-built
/// models pin behaviours the golden corpus cannot isolate.
/// </summary>
public class SentencePieceModelTests
{
    // Protobuf pieces of a ModelProto (field numbers of sentencepiece_model.proto).
    private static byte[] Varint(ulong v)
    {
        var bytes = new List<byte>();
        do { bytes.Add((byte)((v & 0x7F) | (v > 0x7F ? 0x80u : 0))); v >>= 7; } while (v > 0);
        return [.. bytes];
    }
    private static byte[] Bytes(int field, byte[] value) => [.. Varint((ulong)(field << 3 | 2)), .. Varint((ulong)value.Length), .. value];
    private static byte[] Number(int field, long value) => [.. Varint((ulong)(field << 3)), .. Varint((ulong)value)];
    private static byte[] Float(int field, float value) => [.. Varint((ulong)(field << 3 | 5)), .. BitConverter.GetBytes(value)];
    private static byte[] Piece(string text, float score, int type = 1) =>
        Bytes(1, [.. Bytes(1, Encoding.UTF8.GetBytes(text)), .. Float(2, score), .. Number(3, type)]);

    /// <summary>A BPE model with identity normalization: &lt;unk&gt; then the given pieces.</summary>
    private static byte[] Model(int modelType, IEnumerable<byte[]> pieces, bool byteFallback = false, byte[]? extra = null) =>
        [.. Piece("<unk>", 0, 2), .. pieces.SelectMany(p => p),
         .. Bytes(2, [.. Number(3, modelType), .. Number(35, byteFallback ? 1 : 0)]),
         .. Bytes(3, [.. Bytes(1, "identity"u8.ToArray()), .. Number(4, 0)]), .. extra ?? []];

    private static ITextTokenizer Load(byte[] model)
    {
        var files = new Dictionary<string, byte[]> { ["tokenizer.model"] = model, ["tokenizer_config.json"] = """{"tokenizer_class": "LlamaTokenizer", "add_bos_token": false}"""u8.ToArray() };
        return TokenizerLoader.Load(files, "m.gguf");
    }

    private static string Fails(byte[] model) => Assert.Throws<PeftSharpException>(() => Load(model)).Message;

    [Fact]
    public void Models_the_official_library_refuses_are_refused()
    {
        Assert.Contains("piece \"a\" is defined twice", Fails(Model(2, [Piece("a", -1), Piece("a", -2)])));
        Assert.Contains("byte_fallback is true but the 256 byte pieces", Fails(Model(2, [Piece("<0x41>", 0, 6)], byteFallback: true)));
        Assert.Contains("byte piece <0x41> found although byte_fallback is false", Fails(Model(2, [Piece("<0x41>", 0, 6)])));
        Assert.Contains("model type 3 is not supported", Fails(Model(3, [Piece("a", -1)])));
        Assert.Contains("expected exactly one unknown piece, found 2", Fails(Model(2, [Piece("<unk2>", 0, 2)])));
        Assert.Contains("denormalization rules", Fails(Model(2, [Piece("a", -1)], extra: Bytes(5, Bytes(2, [1, 2, 3, 4, 5, 6, 7, 8])))));
        Assert.StartsWith("m.gguf [tokenizer.model]:", Fails(Model(2, [Piece("a", -1), Piece("a", -2)])));
    }

    [Fact]
    public void Bpe_merges_equal_scores_leftmost_first()
    {
        // "aaa" → "▁aaa" → ▁ a a a; both pairs "aa" score -2: SentencePiece merges the leftmost → ▁ aa a (right-first
        // would give ▁ a aa).
        var tokenizer = Load(Model(2, [Piece("\u2581", -1), Piece("a", -1), Piece("aa", -2)]));
        Assert.Equal([1, 3, 2], tokenizer.Encode("aaa"));
    }

    [Fact]
    public void Unknown_characters_fuse_into_one_unknown_id_without_byte_fallback()
    {
        var tokenizer = Load(Model(1, [Piece("\u2581", -1), Piece("a", -1)]));
        Assert.Equal([1, 0, 2], tokenizer.Encode("☃☃☃a"));
    }
}
