using System.Text.Json;
using PeftSharp.Models;
using PeftSharp.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Models;

/// <summary>DeBERTa-v2/v3 classifiers against the independent PyTorch reference (tools/golden/models).</summary>
public sealed class DebertaGoldenTests : IDisposable
{
    private readonly string temp = Path.Combine(Path.GetTempPath(), "peftsharp-deberta-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
    }

    private static Tensor Run(ISequenceClassificationModel model, JsonElement c)
    {
        var ids = ModelFixtures.Tensor2D(c.GetProperty("input_ids"));
        var mask = ModelFixtures.Tensor2D(c.GetProperty("attention_mask"));
        var types = c.TryGetProperty("token_type_ids", out var t) ? ModelFixtures.Tensor2D(t) : null;
        return model.Forward(ids, mask, types);                                             // (batch, num_labels)
    }

    [Theory]
    [InlineData("deberta_v3_cls", 3)]
    [InlineData("deberta_v2_conv_cls", 2)]
    [InlineData("deberta_v3_c2p_cls", 3)] // c2p only: scale sqrt(head_dim·2), unshared pos_key_proj, no pos_query_proj
    public void Logits_match_the_reference_for_padding_pairs_and_clamped_distances(string name, int numLabels)
    {
        var warnings = new List<string>();
        using var model = ModelFixtures.LoadClassifier(name, warnings);
        Assert.Empty(warnings); // v3's stored position_embeddings and position_ids are expected and silent
        Assert.Equal((numLabels, "single_label_classification", "classifier"), (model.NumLabels, model.ProblemType, model.ClassifierModuleName));
        foreach (var c in ModelFixtures.Expected(name).GetProperty("cases").EnumerateArray())
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var logits = Run(model, c);
            Assert.Equal(ModelFixtures.Ints(c.GetProperty("shape")).Select(x => (long)x), logits.shape);
            var diff = ModelFixtures.MaxAbsDifference(logits.data<float>().ToArray(), ModelFixtures.Floats(c.GetProperty("logits")));
            Assert.True(diff <= 1e-4, $"{name}/{c.GetProperty("name").GetString()}: max |Δlogit| = {diff}");
        }
    }

    [Fact]
    public void Token_types_count_when_type_vocab_size_is_positive_and_are_ignored_otherwise()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var (name, used) in new[] { ("deberta_v2_conv_cls", true), ("deberta_v3_cls", false) })
        {
            using var model = ModelFixtures.LoadClassifier(name);
            var ids = torch.tensor(new long[] { 1, 10, 11, 2, 20, 21, 2 }, [1, 7]);
            var types = torch.tensor(new long[] { 0, 0, 0, 0, 1, 1, 1 }, [1, 7]);
            Assert.Equal(!used, model.Forward(ids, null, types).allclose(model.Forward(ids), 1e-6, 1e-6));
        }
    }

    [Theory]
    [InlineData("deberta_v3_cls")]
    [InlineData("deberta_v2_conv_cls")]
    [InlineData("deberta_v3_c2p_cls")]
    public void Right_padding_does_not_change_a_sequences_logits(string name)
    {
        using var model = ModelFixtures.LoadClassifier(name);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var alone = model.Forward(torch.tensor(new long[] { 1, 5, 17, 33, 9, 2 }, [1, 6]));
        var padded = model.Forward(torch.tensor(new long[] { 1, 5, 17, 33, 9, 2, 0, 0, 0 }, [1, 9]),
            torch.tensor(new long[] { 1, 1, 1, 1, 1, 1, 0, 0, 0 }, [1, 9]));
        Assert.True(alone.allclose(padded, 1e-5, 1e-5));
    }

    [Fact]
    public void Dropout_is_active_in_training_and_off_in_eval()
    {
        using var model = ModelFixtures.LoadClassifier("deberta_v2_conv_cls");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var ids = torch.tensor(new long[] { 1, 5, 17, 33, 9, 2 }, [1, 6]);
        Assert.True(model.Forward(ids).allclose(model.Forward(ids), 0, 0));
        model.Module.train();
        Assert.False(model.Forward(ids).allclose(model.Forward(ids), 1e-6, 1e-6));
        model.Module.eval();
    }

    [Fact]
    public void A_deberta_folder_loads_model_and_tokenizer_and_a_pair_is_cls_a_sep_b_sep()
    {
        // As microsoft/deberta-v3-base: config.json + weights + spm.model + tokenizer_config.json.
        Directory.CreateDirectory(temp);
        foreach (var file in Directory.GetFiles(ModelFixtures.Folder("deberta_v3_cls")))
            File.Copy(file, Path.Combine(temp, Path.GetFileName(file)));
        var tokenizerFixture = Path.Combine(AppContext.BaseDirectory, "fixtures", "tokenization", "deberta-v3-tiny");
        foreach (var file in new[] { "spm.model", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json" })
            File.Copy(Path.Combine(tokenizerFixture, file), Path.Combine(temp, file));

        using var model = PretrainedModelLoader.LoadSequenceClassifier(temp);
        var tokenizer = TokenizerLoader.Load(temp);
        var c = ModelFixtures.Expected("deberta_v3_cls").GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("name").GetString() == "tokenizer_pair");
        var first = c.GetProperty("first").GetString()!;
        var second = c.GetProperty("second").GetString()!;
        var pair = tokenizer.EncodePair(first, second);

        int cls = tokenizer.TokenToId("[CLS]")!.Value, sep = tokenizer.TokenToId("[SEP]")!.Value;
        var a = tokenizer.Encode(first, addSpecialTokens: false);
        var b = tokenizer.Encode(second, addSpecialTokens: false);
        int[] expectedIds = [cls, .. a, sep, .. b, sep];
        int[] expectedTypes = [.. Enumerable.Repeat(0, a.Count + 2), .. Enumerable.Repeat(1, b.Count + 1)];
        Assert.Equal(expectedIds, pair.InputIds);
        Assert.Equal(expectedTypes, pair.TokenTypeIds);
        Assert.Equal(ModelFixtures.Ints2D(c.GetProperty("input_ids"))[0].Select(x => (int)x), pair.InputIds);

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var ids = torch.tensor(pair.InputIds.Select(x => (long)x).ToArray(), [1, pair.InputIds.Count]);
        var types = torch.tensor(pair.TokenTypeIds.Select(x => (long)x).ToArray(), [1, pair.TokenTypeIds.Count]);
        var diff = ModelFixtures.MaxAbsDifference(model.Forward(ids, null, types).data<float>().ToArray(), ModelFixtures.Floats(c.GetProperty("logits")));
        Assert.True(diff <= 1e-4, $"max |Δlogit| = {diff}");
    }
}
