using System.IO.Compression;
using System.Text;
using System.Text.Json;
using PeftSharp.Tokenization;

namespace PeftSharp.Bench;

/// <summary>
/// Encode throughput (tokens/s) of every tokenizer of the golden set (tests/PeftSharp.Tests/fixtures/tokenization-golden)
/// on its 4,000-line adversarial corpus: <c>Encode(line, addSpecialTokens: false)</c> for every line, one pass
/// timed per repetition. Tokenizers are loaded from a temporary copy of each fixture folder through
/// <see cref="TokenizerLoader.Load(string)"/>, so the same code measures older versions of PeftSharp too.
/// </summary>
internal static class TokenizerBenchmark
{
    private static readonly (string Name, string Kind)[] Tokenizers =
    [
        ("gpt2", "byte-level BPE (vocab.json + merges.txt)"), ("roberta", "byte-level BPE (vocab.json + merges.txt)"),
        ("llama3", "byte-level BPE (tokenizer.json)"), ("wordnet-gpt2", "byte-level BPE (tokenizer.json, shipped model)"),
        ("llama2", "SentencePiece BPE, byte fallback"), ("deberta-v3", "SentencePiece Unigram, nmt_nfkc"),
        ("unigram-byte-fallback", "SentencePiece Unigram, byte fallback"), ("bpe-nmt-nfkc", "SentencePiece BPE, nmt_nfkc"),
        ("user-defined", "SentencePiece Unigram, user-defined pieces"), ("bert-uncased", "WordPiece"), ("bert-cased", "WordPiece"),
    ];

    public static string Report(BenchSettings settings)
    {
        string golden = FindUp(Path.Combine("tests", "PeftSharp.Tests", "fixtures", "tokenization-golden"));
        var corpus = JsonSerializer.Deserialize<List<string>>(Decompress(File.ReadAllBytes(Path.Combine(golden, "corpus.json.gz"))))!;
        if (settings.IsSmoke) corpus = corpus.Take(200).ToList();
        var rows = new List<IReadOnlyList<string>>();
        foreach (var (name, kind) in Tokenizers)
        {
            Progress.Log($"tokenizer {name}");
            string folder = name == "wordnet-gpt2" ? FindUp(Path.Combine("assets", "models", "wordnet-gpt2")) : Path.Combine(golden, name);
            string copy = CopyDecompressed(folder);
            try
            {
                var tokenizer = TokenizerLoader.Load(copy);
                long tokens = corpus.Sum(line => (long)tokenizer.Encode(line, addSpecialTokens: false).Count);
                var (wall, cpu) = TimePasses(() => { foreach (var line in corpus) tokenizer.Encode(line, addSpecialTokens: false); }, settings);
                rows.Add([name, kind, Markdown.Count(corpus.Count), Markdown.Count(tokens), Markdown.Number(wall, 1), Markdown.Count((long)(tokens / (wall / 1000))),
                          Markdown.Number(cpu, 1), Markdown.Count((long)(tokens / (cpu / 1000)))]);
            }
            finally
            {
                Directory.Delete(copy, recursive: true);
            }
        }
        var text = new StringBuilder();
        text.AppendLine("## Tokenizer encode throughput").AppendLine();
        text.AppendLine($"Every line of the golden corpus encoded without special tokens, time per pass from repetitions of 5 passes, median of {settings.Repetitions} after {settings.Warmup} warm-up passes; one thread. " +
            "The CPU columns count the process's CPU time during the pass, which a busy machine disturbs less than the wall clock.").AppendLine();
        text.Append(Markdown.Table(["tokenizer", "kind", "lines", "tokens", "pass (ms)", "tokens/s", "pass CPU (ms)", "tokens/CPU-s"], rows)).AppendLine();
        return text.ToString();
    }

    /// <summary>
    /// Median wall-clock and process CPU milliseconds of one pass, after warm-up; each repetition times several passes,
    /// so that the CPU clock's coarse ticks (10 ms) stay small against it.
    /// </summary>
    private static (double Wall, double Cpu) TimePasses(Action pass, BenchSettings settings)
    {
        int passes = settings.IsSmoke ? 1 : 5;
        for (int i = 0; i < settings.Warmup; i++) pass();
        var process = System.Diagnostics.Process.GetCurrentProcess();
        var wall = new double[settings.Repetitions];
        var cpu = new double[settings.Repetitions];
        for (int i = 0; i < settings.Repetitions; i++)
        {
            process.Refresh();
            var cpuStart = process.TotalProcessorTime;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (int p = 0; p < passes; p++) pass();
            wall[i] = clock.Elapsed.TotalMilliseconds / passes;
            process.Refresh();
            cpu[i] = (process.TotalProcessorTime - cpuStart).TotalMilliseconds / passes;
        }
        return (Measure.Median(wall), Measure.Median(cpu));
    }

    /// <summary>A temporary folder holding the tokenizer files of <paramref name="folder"/>, .gz files decompressed.</summary>
    private static string CopyDecompressed(string folder)
    {
        string copy = Path.Combine(Path.GetTempPath(), "peftsharp-bench-tok-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(copy);
        foreach (var path in Directory.GetFiles(folder))
        {
            string file = Path.GetFileName(path);
            if (file == "expected.json.gz" || file.EndsWith(".safetensors", StringComparison.Ordinal)) continue;
            if (file.EndsWith(".gz", StringComparison.Ordinal)) File.WriteAllBytes(Path.Combine(copy, file[..^3]), Decompress(File.ReadAllBytes(path)));
            else File.Copy(path, Path.Combine(copy, file));
        }
        return copy;
    }

    private static string FindUp(string relative)
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
        throw new DirectoryNotFoundException($"{relative} not found above {Directory.GetCurrentDirectory()}: run from a PeftSharp checkout");
    }

    private static byte[] Decompress(byte[] gz)
    {
        using var input = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
