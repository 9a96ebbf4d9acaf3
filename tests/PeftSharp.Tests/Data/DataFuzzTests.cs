using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using PeftSharp.Data;
using static PeftSharp.Tests.Data.DataTestFiles;
using static PeftSharp.Tests.DamagedInput;
using static PeftSharp.Tests.Hangs;

namespace PeftSharp.Tests.Data;

/// <summary>
/// Property tests: valid data files mutated thousands of times. Every outcome must be a successful
/// read with consistent records or a <see cref="PeftSharpException"/>; never another exception, never an
/// allocation out of proportion to the file, never a hang (a read that does not return fails its test after
/// <see cref="Hangs.Limit"/> instead of stalling the run).
/// </summary>
public class DataFuzzTests
{
    private static void Property(byte[][] seeds, long iterations, Action<byte[]> read) => WithinLimit(done =>
        ByteMutator.Gen(seeds.Length).SampleFixed((seed, ops) =>
        {
            var bytes = ByteMutator.Apply(seeds[seed], ops);
            ReadsOrRejects(bytes.Length, () => read(bytes));
            done();
        }, iter: iterations, print: t => Convert.ToBase64String(ByteMutator.Apply(seeds[t.Item1], t.Item2))));

    private static byte[][] Files(params string[][] paths) => paths.Select(p => File.ReadAllBytes(Fixture(p))).ToArray();

    [Fact]
    public void Mutated_jsonl_files_are_read_or_rejected_with_PeftSharpException()
    {
        var seeds = Files(["jsonl", "token_ids.jsonl"], ["jsonl", "text.jsonl"], ["jsonl", "prompt_completion.jsonl"], ["jsonl", "pairs.jsonl"])
            .Append(Encoding.UTF8.GetBytes("{\"sentence\": \"good\", \"label\": 1}\n{\"sentence\": \"bad\", \"label\": 0}\n"))
            .Append(Encoding.UTF8.GetBytes("{\"input_ids\": [1, 2, 3, 4], \"labels\": [-100, -100, 3, 4], \"attention_mask\": [1, 1, 1, 1]}\n"))
            .ToArray();
        int round = 0;
        Property(seeds, 20_000, bytes => ReadJsonlAndCheck(bytes, JsonlOptionVariants[Interlocked.Increment(ref round) % JsonlOptionVariants.Length]));
    }

    private static readonly JsonlOptions[] JsonlOptionVariants = [new(), new() { NumLabels = 3, VocabSize = 50 }, new() { NumLabels = 1 }];

    private static void ReadJsonlAndCheck(byte[] bytes, JsonlOptions options)
    {
        var data = JsonlReader.Read(new MemoryStream(bytes), "fuzz.jsonl", options);
        Assert.NotEmpty(data.Examples);
        foreach (var example in data.Examples)
        {
            switch (example)
            {
                case TokenIdsExample t:
                    Assert.Equal(JsonlFormat.TokenIds, data.Format);
                    Assert.NotEmpty(t.InputIds);
                    Assert.All(t.InputIds, id => Assert.True(id >= 0 && id < (options.VocabSize ?? int.MaxValue)));
                    if (t.Labels is not null)
                    {
                        Assert.Equal(t.InputIds.Length, t.Labels.Length);
                        Assert.All(t.Labels, l => Assert.True(l == -100 || l >= 0 && l < (options.VocabSize ?? int.MaxValue)));
                    }
                    break;
                case TextExample t: Assert.Equal(JsonlFormat.Text, data.Format); Assert.NotEmpty(t.Text); break;
                case PromptCompletionExample p: Assert.Equal(JsonlFormat.PromptCompletion, data.Format); Assert.NotEmpty(p.Completion); break;
                case ClassificationExample c:
                    Assert.Equal(JsonlFormat.Classification, data.Format);
                    Assert.True(double.IsFinite(c.Label!.Value));
                    if (options.NumLabels is 3) Assert.InRange(c.ClassIndex, 0, 2);
                    Assert.Equal(data.Examples[0] is ClassificationExample { TextPair: not null }, c.TextPair is not null);
                    break;
                default: Assert.Fail($"unexpected {example.GetType().Name}"); break;
            }
        }
    }

    // Values and field names for structure-aware mutation: right shape, wrong content.
    private static readonly string[] FieldPool = ["input_ids", "labels", "text", "prompt", "completion", "sentence", "sentence1", "sentence2", "label", "id", "attention_mask"];
    private static readonly string[] ValuePool =
        ["null", "true", "0", "1", "2", "3", "-1", "-100", "2.5", "1e300", "99999999999", "\"\"", "\"x\"", "\"LONE_SURROGATE\"", "[]", "[1, 2]", "[-100, 7]", "[\"1\"]", "[null]", "[[1]]", "{}", "{\"a\": 1}"];

    [Fact]
    public void Structurally_mutated_jsonl_rows_are_read_or_rejected_with_PeftSharpException()
    {
        var seeds = new[] { "token_ids.jsonl", "text.jsonl", "prompt_completion.jsonl", "pairs.jsonl" }
            .Select(f => File.ReadAllLines(Fixture("jsonl", f)).Where(l => l.Length > 0).ToArray()).ToArray();
        int round = 0, successes = 0;
        WithinLimit(done => ByteMutator.Gen(seeds.Length).SampleFixed((seed, ops) =>
        {
            var rows = seeds[seed].Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
            foreach (var op in ops)
            {
                if (rows.Count == 0) break;
                var row = rows[(int)(op % (uint)rows.Count)];
                uint r = op / 7919;
                var keys = row.Select(p => p.Key).ToList();
                switch (r % 6)
                {
                    case 0 when keys.Count > 0: row.Remove(keys[(int)(r / 6 % (uint)keys.Count)]); break;
                    case 1 when keys.Count > 0: row[keys[(int)(r / 6 % (uint)keys.Count)]] = JsonNode.Parse(ValuePool[(int)(r / 96 % (uint)ValuePool.Length)]); break;
                    case 2: row[FieldPool[(int)(r / 6 % (uint)FieldPool.Length)]] = JsonNode.Parse(ValuePool[(int)(r / 96 % (uint)ValuePool.Length)]); break;
                    case 3: rows.Add(JsonNode.Parse(row.ToJsonString())!.AsObject()); break;
                    case 4: rows.Remove(row); break;
                    case 5 when keys.Count > 0 && row[keys[(int)(r / 6 % (uint)keys.Count)]] is JsonArray array && array.Count > 0:
                        array[(int)(r / 96 % (uint)array.Count)] = JsonNode.Parse(ValuePool[(int)(r / 1536 % (uint)ValuePool.Length)]);
                        break;
                }
            }
            // JsonNode cannot hold a lone surrogate; it is spliced into the text afterwards.
            var text = string.Join("\n", rows.Select(o => o.ToJsonString())).Replace("LONE_SURROGATE", "\\ud800");
            var bytes = Encoding.UTF8.GetBytes(text);
            try
            {
                ReadJsonlAndCheck(bytes, JsonlOptionVariants[Interlocked.Increment(ref round) % JsonlOptionVariants.Length]);
                Interlocked.Increment(ref successes);
            }
            catch (PeftSharpException) { }
            done();
        }, iter: 10_000));
        Assert.True(successes > 500, $"only {successes} of 10000 mutated files were valid; the mutations no longer exercise the readers' success paths");
    }

    [Fact]
    public void Mutated_commonsense_files_are_read_or_rejected_with_PeftSharpException()
    {
        var list = File.ReadAllBytes(Fixture("commonsense", "train.json"));
        var lines = Encoding.UTF8.GetBytes("{\"instruction\": \"q\", \"input\": \"\", \"output\": \"the correct answer is true\", \"answer\": \"true\"}\n");
        Property([list, lines], 10_000, bytes =>
        {
            var examples = CommonsenseReader.Read(new MemoryStream(bytes), "fuzz.json", null);
            Assert.All(examples, e => Assert.NotEmpty(e.Instruction));
        });
    }

    [Fact]
    public void Mutated_glue_tsv_files_are_read_or_rejected_with_PeftSharpException()
    {
        string[] tasks = ["cola", "sst2", "mrpc", "qqp", "stsb", "mnli", "rte", "wnli"];
        var seeds = Files(["glue", "CoLA", "train.tsv"], ["glue", "SST-2", "train.tsv"], ["glue", "MRPC", "train.tsv"], ["glue", "QQP", "train.tsv"],
            ["glue", "STS-B", "train.tsv"], ["glue", "MNLI", "dev_matched.tsv"], ["glue", "RTE", "train.tsv"], ["glue", "WNLI", "train.tsv"]);
        WithinLimit(done => ByteMutator.Gen(seeds.Length).SampleFixed((seed, ops) =>
        {
            var task = GlueTask.Get(tasks[seed]);
            try
            {
                var rows = GlueReader.ReadTsv(task, new MemoryStream(ByteMutator.Apply(seeds[seed], ops)), "fuzz.tsv", null);
                Assert.All(rows, r =>
                {
                    if (r.Label is not { } label) return;
                    if (task.IsRegression) Assert.InRange(label, 0, 5);
                    else Assert.InRange(r.ClassIndex, 0, task.Labels.Length - 1);
                    Assert.Equal(task.TsvTextColumns.Length == 2, r.TextPair is not null);
                });
            }
            catch (PeftSharpException) { }
            done();
        }, iter: 10_000));
    }

    [Fact]
    public void Mutated_e2e_files_are_read_or_rejected_with_PeftSharpException()
    {
        var seeds = Files(["e2e", "trainset.csv"], ["e2e", "test.txt"], ["e2e", "testset.csv"]);
        string[] names = ["fuzz.csv", "fuzz.txt", "fuzz.csv"];
        WithinLimit(done => ByteMutator.Gen(seeds.Length).SampleFixed((seed, ops) =>
        {
            var bytes = ByteMutator.Apply(seeds[seed], ops);
            try
            {
                var groups = E2EReader.ReadGroups(new MemoryStream(bytes), names[seed]);
                Assert.Equal(groups.Count, groups.Select(g => g.Source).Distinct().Count());
                Assert.All(groups, g => Assert.False(string.IsNullOrWhiteSpace(g.Source)));
            }
            catch (PeftSharpException) { }
            try
            {
                Assert.All(E2EReader.ReadPairs(new MemoryStream(bytes), names[seed]), p => Assert.False(string.IsNullOrWhiteSpace(p.Reference)));
            }
            catch (PeftSharpException) { }
            done();
        }, iter: 10_000));
    }

    private static byte[] ParquetSeed => GlueParquetTests.WriteBytes(["sentence1", "sentence2"], [["a man", "the cat sat", "x"], ["a person", "a cat", "y"]], new long[] { 0, 1, 1 });

    /// <summary>Keeps the outer frame mostly intact so that the mutations reach Parquet.Net's page and metadata parsing.</summary>
    private static byte[] MutateParquet(byte[] seed, uint[] ops) =>
        [.. seed[..4], .. ByteMutator.Apply(seed[4..^8], ops.Where(o => o % 12 is not (4 or 9 or 10)).ToArray()), .. seed[^8..]];

    [Fact]
    public void A_page_header_claiming_a_270_MB_value_is_rejected_before_anything_is_allocated()
    {
        // Found by random cases (CsCheck seed dk9vWLlhKiXe): in a 757-byte file, a page header's statistics value claims
        // 268,832,752 bytes, which Parquet.Net allocated before finding them missing.
        var (_, ops) = ByteMutator.Gen(1).Generate(PCG.Parse("dk9vWLlhKiXe"), null, out _);
        var bytes = MutateParquet(ParquetSeed, ops);
        WithinAllocationBudget(bytes.Length, () =>
        {
            var error = Assert.Throws<PeftSharpException>(() => GlueParquet.Read(GlueTask.Get("rte"), new MemoryStream(bytes), "fuzz.parquet"));
            Assert.Contains("page header", error.Message);
        });
    }

    [Fact]
    public void Mutated_parquet_files_are_read_or_rejected_with_PeftSharpException()
    {
        var seed = ParquetSeed;
        WithinLimit(done => ByteMutator.Gen(1).SampleFixed((_, ops) =>
        {
            var bytes = MutateParquet(seed, ops);
            ReadsOrRejects(bytes.Length, () =>
            {
                var rows = GlueParquet.Read(GlueTask.Get("rte"), new MemoryStream(bytes), "fuzz.parquet");
                Assert.All(rows, r => Assert.True(r.Label is null || r.ClassIndex is 0 or 1));
            });
            done();
        }, iter: 3000));
    }
}
