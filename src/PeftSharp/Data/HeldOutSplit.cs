namespace PeftSharp.Data;

/// <summary>
/// A deterministic evaluation slice of the training data, for data without an evaluation file: the same examples are
/// held out in every run (whatever the seed, so that runs and methods are compared on the same slice).
/// </summary>
internal static class HeldOutSplit
{
    /// <summary>The permutation's fixed seed: the split depends on the data only.</summary>
    private const int Seed = 20_240_901;

    /// <summary>(training examples, held-out examples), both in file order; <paramref name="fraction"/> of the examples (at least one) are held out.</summary>
    public static (IReadOnlyList<T> Train, IReadOnlyList<T> HeldOut) Apply<T>(IReadOnlyList<T> examples, double fraction, string source)
    {
        if (!(fraction is > 0 and < 1)) throw new InvalidOptionException("TrainSettings", "EvalSplit", "a fraction in (0, 1)", fraction);
        int count = Math.Max(1, (int)Math.Round(examples.Count * fraction));
        if (count >= examples.Count)
            throw new PeftSharpException($"{source}: {examples.Count} example(s) are too few to hold out {fraction.ToString(System.Globalization.CultureInfo.InvariantCulture)} of them for evaluation and train on the rest");
        var order = Enumerable.Range(0, examples.Count).ToArray();
        new Random(Seed).Shuffle(order);
        var held = order.Take(count).ToHashSet();
        return (Enumerable.Range(0, examples.Count).Where(i => !held.Contains(i)).Select(i => examples[i]).ToList(),
                Enumerable.Range(0, examples.Count).Where(held.Contains).Select(i => examples[i]).ToList());
    }
}
