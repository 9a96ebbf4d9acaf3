using TorchSharp;
using static TorchSharp.torch;

namespace PeftSharp.Models;

/// <summary>
/// How decoder-only classifiers (HF <c>GPT2ForSequenceClassification</c>, <c>LlamaForSequenceClassification</c>)
/// summarise a sequence: the hidden state of its last real token, the only one that has seen the whole input.
/// </summary>
/// <remarks>
/// HF finds that token from the ids: the rightmost position whose id is not <c>pad_token_id</c> (and the
/// last position when the config has no pad token). Here the attention mask decides: the rightmost
/// position whose mask is 1. The two agree whenever padding is marked by both the pad id and a 0 in the
/// mask, for right and left padding alike; they differ only when the pad id also occurs as a real token
/// (GPT-2 fine-tuning often sets pad = eos = &lt;|endoftext|&gt;): HF then skips a real trailing eos, the
/// mask does not. Without a mask every token is real and the last position is used.
/// </remarks>
internal static class LastTokenPooling
{
    /// <summary>hidden (batch, seq, d), attentionMask (batch, seq) 1 = real or null → (batch, d).</summary>
    public static Tensor Pool(Tensor hidden, Tensor? attentionMask)
    {
        long batch = hidden.shape[0], seq = hidden.shape[1], d = hidden.shape[2];
        if (attentionMask is null) return hidden.select(1, seq - 1);
        var positions = torch.arange(seq, dtype: ScalarType.Int64, device: hidden.device).unsqueeze(0); // (1, seq)
        var last = (positions * attentionMask.ne(0).to(ScalarType.Int64)).argmax(-1);                   // (batch)
        return hidden.gather(1, last.view(batch, 1, 1).expand(batch, 1, d)).squeeze(1);                  // (batch, d)
    }
}
