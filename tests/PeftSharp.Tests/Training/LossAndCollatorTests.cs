using PeftSharp.Evaluation;
using PeftSharp.Data;
using PeftSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Training;

public class LossAndCollatorTests
{
    [Fact]
    public void Collator_pads_right_with_masks_and_ignored_labels()
    {
        var batch = Collator.Collate([new EncodedExample([5, 6, 7], [-100, 6, 7]), new EncodedExample([8], [8])], padTokenId: 0, CPU);
        Assert.Equal(new long[] { 5, 6, 7, 8, 0, 0 }, batch.InputIds.data<long>().ToArray());
        Assert.Equal(new long[] { 1, 1, 1, 1, 0, 0 }, batch.AttentionMask.data<long>().ToArray());
        Assert.Equal(new long[] { -100, 6, 7, 8, -100, -100 }, batch.Labels!.data<long>().ToArray());
        Assert.Equal(4, batch.TokenCount);
    }

    [Fact]
    public void Causal_lm_loss_is_the_mean_over_non_ignored_shifted_tokens()
    {
        var logits = torch.randn(1, 4, 5, dtype: ScalarType.Float32);
        var labels = torch.tensor(new long[] { 9, 2, -100, 4 }).reshape(1, 4);
        // Position 0 predicts label[1] = 2, position 1 predicts label[2] (ignored), position 2 predicts label[3] = 4.
        var logp = nn.functional.log_softmax(logits, -1);
        double expected = -(logp[0, 0, 2].item<float>() + logp[0, 2, 4].item<float>()) / 2;
        Assert.Equal(expected, Losses.CausalLm(logits, labels).item<float>(), 5);
    }
}
