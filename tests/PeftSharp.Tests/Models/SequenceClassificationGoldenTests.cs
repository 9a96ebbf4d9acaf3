using TorchSharp;

namespace PeftSharp.Tests.Models;

/// <summary>BERT, RoBERTa, GPT-2 and LLaMA classifiers against the independent PyTorch reference.</summary>
public class SequenceClassificationGoldenTests
{
    [Theory]
    [InlineData("roberta_cls", 3, "single_label_classification", "classifier")]
    [InlineData("bert_cls", 1, "regression", "classifier")]
    [InlineData("gpt2_cls", 3, "single_label_classification", "score")]
    [InlineData("llama_cls", 4, "single_label_classification", "score")]
    public void Logits_match_the_reference_with_padding_and_segments(string name, int numLabels, string problemType, string head)
    {
        var warnings = new List<string>();
        using var model = ModelFixtures.LoadClassifier(name, warnings);
        Assert.Empty(warnings); // RoBERTa's position_ids buffer is known and silent
        Assert.Equal(numLabels, model.NumLabels);
        Assert.Equal(problemType, model.ProblemType);
        Assert.Equal(head, model.ClassifierModuleName);
        var e = ModelFixtures.Expected(name);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var ids = ModelFixtures.Tensor2D(e.GetProperty("input_ids"));
        var mask = ModelFixtures.Tensor2D(e.GetProperty("attention_mask"));
        var types = e.TryGetProperty("token_type_ids", out var t) ? ModelFixtures.Tensor2D(t) : null;
        var logits = model.Forward(ids, mask, types);                                       // (batch, num_labels)
        Assert.Equal([ids.shape[0], numLabels], logits.shape);
        var diff = ModelFixtures.MaxAbsDifference(logits.data<float>().ToArray(), ModelFixtures.Floats(e.GetProperty("logits")));
        Assert.True(diff <= 1e-4, $"{name}: max |Δlogit| = {diff}");
    }

    [Fact]
    public void Bert_segment_ids_change_the_output()
    {
        // Guards against token_type_ids being ignored: the golden case only passes if they are used.
        using var model = ModelFixtures.LoadClassifier("bert_cls");
        var e = ModelFixtures.Expected("bert_cls");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var ids = ModelFixtures.Tensor2D(e.GetProperty("input_ids"));
        var mask = ModelFixtures.Tensor2D(e.GetProperty("attention_mask"));
        var with = model.Forward(ids, mask, ModelFixtures.Tensor2D(e.GetProperty("token_type_ids")));
        var without = model.Forward(ids, mask);
        Assert.False(with.allclose(without, 1e-4, 1e-4));
    }

    [Fact]
    public void Right_padding_does_not_change_a_sequences_logits()
    {
        using var model = ModelFixtures.LoadClassifier("roberta_cls");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var alone = model.Forward(torch.tensor(new long[] { 0, 5, 17, 33, 9, 2 }, [1, 6]));
        var padded = model.Forward(torch.tensor(new long[] { 0, 5, 17, 33, 9, 2, 1, 1, 1 }, [1, 9]),
            torch.tensor(new long[] { 1, 1, 1, 1, 1, 1, 0, 0, 0 }, [1, 9]));
        Assert.True(alone.allclose(padded, 1e-5, 1e-5));
    }
}
