namespace PeftSharp.Tokenization.SentencePiece;

/// <summary>A piece of the normalized text chosen by the model: where it is and its id (the unknown id for text no piece covers).</summary>
internal readonly record struct Segment(int Start, int Length, int Id);

/// <summary>The model algorithm of SentencePiece (Unigram or BPE): cuts normalized text into pieces.</summary>
internal interface ISegmenter
{
    /// <summary>Appends the pieces of <paramref name="normalized"/>, in order, covering all of it.</summary>
    void Segment(string normalized, List<Segment> output);
}
