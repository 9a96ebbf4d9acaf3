namespace PeftSharp.Tokenization;

/// <summary>HF tokenizers' "longest_first" truncation of a sequence (pair) to a total length.</summary>
internal static class Truncation
{
    /// <summary>
    /// Lengths to keep for sequences of lengths <paramref name="first"/> and <paramref name="second"/> so that they
    /// sum to at most <paramref name="maxLength"/>: if the shorter one fits in half, the longer one gets the rest;
    /// otherwise each gets half, the longer one the odd token (the second when they are equally long).
    /// </summary>
    public static (int First, int Second) LongestFirst(int first, int second, int maxLength)
    {
        if (maxLength <= 0) return (0, 0);
        if (first + second <= maxLength) return (first, second);
        bool swapped = first > second;
        int shorter = swapped ? second : first;
        int longer;
        if (shorter > maxLength) longer = shorter;
        else longer = Math.Max(shorter, maxLength - shorter);
        if (shorter + longer > maxLength)
        {
            shorter = maxLength / 2;
            longer = shorter + maxLength % 2;
        }
        return swapped ? (longer, shorter) : (shorter, longer);
    }
}
