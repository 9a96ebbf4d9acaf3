using System.Text;
using PeftSharp.Tokenization;
using static PeftSharp.Tests.Tokenization.TokenizationFixtures;

namespace PeftSharp.Tests.Tokenization;

/// <summary>TokenizerLoader.Load(files, origin): the same tokenizers as from a folder, errors naming origin and file.</summary>
public class InMemoryLoadingTests
{
    private static Dictionary<string, byte[]> FilesOf(string fixture) =>
        Directory.GetFiles(Folder(fixture)).Where(p => Path.GetFileName(p) != "expected.json").ToDictionary(p => Path.GetFileName(p)!, File.ReadAllBytes);

    [Theory]
    [InlineData("gpt2-tiny")]
    [InlineData("roberta-tiny")]
    [InlineData("llama3-tiny")]
    [InlineData("llama2-tiny")]
    [InlineData("deberta-v3-tiny")]
    [InlineData("bert-tiny")]
    public void Files_in_memory_give_the_tokenizer_of_the_folder(string fixture)
    {
        var fromFolder = TokenizerLoader.Load(Folder(fixture));
        var fromMemory = TokenizerLoader.Load(FilesOf(fixture), "model.gguf");
        Assert.Equal(fromFolder.VocabSize, fromMemory.VocabSize);
        Assert.Equal((fromFolder.BosTokenId, fromFolder.EosTokenId, fromFolder.PadTokenId), (fromMemory.BosTokenId, fromMemory.EosTokenId, fromMemory.PadTokenId));
        foreach (var c in TokenizationFixtures.Load(fixture).Cases)
        {
            Assert.Equal(c.WithSpecial, fromMemory.Encode(c.Text));
            Assert.Equal(fromFolder.Decode(c.WithSpecial), fromMemory.Decode(c.WithSpecial));
        }
    }

    [Fact]
    public void Errors_name_the_origin_and_the_file()
    {
        var files = new Dictionary<string, byte[]> { ["tokenizer.json"] = Encoding.UTF8.GetBytes("{\"model\": [1, 2") };
        var e = Assert.Throws<PeftSharpException>(() => TokenizerLoader.Load(files, "llama.gguf"));
        Assert.StartsWith("llama.gguf [tokenizer.json]: invalid JSON (line 1", e.Message);

        e = Assert.Throws<PeftSharpException>(() => TokenizerLoader.Load(new Dictionary<string, byte[]>(), "llama.gguf"));
        Assert.StartsWith("llama.gguf: no tokenizer files found", e.Message);

        files = new() { ["vocab.json"] = Encoding.UTF8.GetBytes("""{"a": 0}"""), ["config.json"] = Encoding.UTF8.GetBytes("""{"model_type": "gpt2"}""") };
        e = Assert.Throws<PeftSharpException>(() => TokenizerLoader.Load(files, "gpt2.gguf"));
        Assert.StartsWith("gpt2.gguf [merges.txt]: file not found", e.Message);
    }

    [Fact]
    public void Text_files_must_be_utf8()
    {
        var files = new Dictionary<string, byte[]> { ["vocab.txt"] = [0x61, 0xFF, 0x0A], ["config.json"] = Encoding.UTF8.GetBytes("""{"model_type": "bert"}""") };
        Assert.StartsWith("bert.gguf [vocab.txt]: not valid UTF-8 text", Assert.Throws<PeftSharpException>(() => TokenizerLoader.Load(files, "bert.gguf")).Message);
    }
}
