namespace PeftSharp.Tokenization;

/// <summary>
/// A tokenizer loaded from a HuggingFace model folder, behaving like the HF tokenizer of that model:
/// same ids, same special tokens for single sequences and pairs, same decoding.
/// </summary>
public interface ITextTokenizer
{
    /// <summary>Number of ids the tokenizer can produce (model vocabulary plus added/special tokens): highest id + 1.</summary>
    int VocabSize { get; }

    /// <summary>Beginning-of-sequence token id (LLaMA <c>&lt;s&gt;</c>, RoBERTa <c>&lt;s&gt;</c>, BERT/DeBERTa <c>[CLS]</c>), if any.</summary>
    int? BosTokenId { get; }

    /// <summary>End-of-sequence token id (GPT-2 <c>&lt;|endoftext|&gt;</c>, BERT/DeBERTa <c>[SEP]</c>), if any.</summary>
    int? EosTokenId { get; }

    /// <summary>Padding token id, if the tokenizer defines one (GPT-2 and LLaMA do not).</summary>
    int? PadTokenId { get; }

    /// <summary>Unknown-token id, if any.</summary>
    int? UnkTokenId { get; }

    /// <summary>
    /// Encodes one text. With <paramref name="addSpecialTokens"/> the tokens the HF tokenizer adds to a single sequence are
    /// added (LLaMA: <c>&lt;s&gt;</c>; LLaMA-3: <c>&lt;|begin_of_text|&gt;</c>; GPT-2: nothing; BERT/DeBERTa-v3:
    /// <c>[CLS] … [SEP]</c>; RoBERTa: <c>&lt;s&gt; … &lt;/s&gt;</c>). Added/special tokens written in the text are
    /// recognised as single tokens, as HF does.
    /// </summary>
    IReadOnlyList<int> Encode(string text, bool addSpecialTokens = true);

    /// <summary>
    /// Encodes a sequence or a sequence pair with special tokens and token type ids as the HF tokenizer builds them
    /// (BERT/DeBERTa-v3 <c>[CLS] a [SEP] b [SEP]</c> with types 0/1; RoBERTa <c>&lt;s&gt; a &lt;/s&gt;&lt;/s&gt; b &lt;/s&gt;</c>,
    /// all types 0; causal tokenizers: their BOS, if any, before each part, types 0 then 1). With
    /// <paramref name="maxLength"/> the two texts are truncated with HF's "longest_first" strategy so that the result,
    /// special tokens included, is at most <paramref name="maxLength"/> ids long.
    /// </summary>
    EncodedPair EncodePair(string first, string? second, int? maxLength = null);

    /// <summary>Turns ids back into text; special tokens are left out when <paramref name="skipSpecialTokens"/>.</summary>
    string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true);

    /// <summary>The token string of an id (as stored in the vocabulary), or null for an unknown id.</summary>
    string? IdToToken(int id);

    /// <summary>The id of a token string (as stored in the vocabulary), or null if there is none.</summary>
    int? TokenToId(string token);
}
