using System.CommandLine;
using PeftSharp.Cli.Options;
using PeftSharp.Data;
using PeftSharp.IO;
using PeftSharp.Tokenization;

namespace PeftSharp.Cli.Commands;

/// <summary><c>peft train-tokenizer</c>: a byte-level BPE tokenizer (GPT-2 format) from a plain-text corpus.</summary>
internal sealed class TokenizerCommand : ICliCommand
{
    public Command Command { get; } = new("train-tokenizer", "Train a byte-level BPE tokenizer (vocab.json, merges.txt, tokenizer.json) on a text corpus.");
    private readonly Option<string> corpus, output;
    private readonly Option<int> vocabSize;
    private readonly Option<bool> overwrite;

    public TokenizerCommand()
    {
        var o = new OptionSet(Command);
        corpus = o.Add<string>("corpus", "Plain-text corpus, one text per line", required: true);
        vocabSize = o.Add("vocab-size", "Vocabulary size including the 256 bytes and <|endoftext|>", 8192);
        output = o.Add<string>("out", "Output folder", required: true);
        overwrite = o.Add<bool>("overwrite", "Write into an --out that already holds files (tokenizer files there are replaced)");
    }

    public int Run(ParseResult p, CancellationToken cancel)
    {
        var texts = PlainText.Read(p.GetValue(corpus)!).Cast<TextExample>().Select(t => t.Text);
        using var folder = OutputFolder.Claim(p.GetValue(output)!, "OutputDirectory", [("the corpus", p.GetValue(corpus))], acceptExisting: p.GetValue(overwrite));
        BpeTrainer.Train(texts, p.GetValue(vocabSize), ["<|endoftext|>"], folder.Path);
        Console.WriteLine($"tokenizer written to {p.GetValue(output)}");
        return 0;
    }
}
