using CsCheck;

namespace PeftSharp.Tests;

/// <summary>
/// Property tests over a fixed list of generated cases: every run of the suite checks the same values, so a test
/// passes or fails the same way on every run and machine. (CsCheck's <c>Sample</c> draws new random cases each run: a
/// suite green today could turn red tomorrow without a change.) A failure names its case's seed, with which
/// <c>gen.Sample(assert, seed: "…")</c> reproduces and shrinks it. <c>PEFTSHARP_RANDOM_CASES=1</c> explores with random
/// cases (CsCheck's <c>Sample</c>) instead, to look for new failures on purpose.
/// </summary>
internal static class FixedCases
{
    private static bool Random => Environment.GetEnvironmentVariable("PEFTSHARP_RANDOM_CASES") == "1";

    public static void SampleFixed<T>(this Gen<T> gen, Action<T> assert, long iter, Func<T, string>? print = null)
    {
        if (Random)
        {
            gen.Sample(assert, iter: iter, threads: 1, print: print); // one thread: some properties run tensor operations
            return;
        }
        for (long i = 0; i < iter; i++)
        {
            var pcg = new PCG(1, Mix((ulong)i));
            var seed = pcg.ToString(); // before generating, which advances the state
            var value = gen.Generate(pcg, null, out _);
            try
            {
                assert(value);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new Xunit.Sdk.XunitException(
                    $"fixed case {i} of {iter} fails; Sample(…, seed: \"{seed}\") reproduces and shrinks it{(print is null ? "" : $": {print(value)}")}\n{e.Message}", e);
            }
        }
    }

    public static void SampleFixed<T1, T2>(this Gen<(T1, T2)> gen, Action<T1, T2> assert, long iter, Func<(T1, T2), string>? print = null) =>
        gen.SampleFixed(t => assert(t.Item1, t.Item2), iter, print);

    public static void SampleFixed<T1, T2, T3>(this Gen<(T1, T2, T3)> gen, Action<T1, T2, T3> assert, long iter, Func<(T1, T2, T3), string>? print = null) =>
        gen.SampleFixed(t => assert(t.Item1, t.Item2, t.Item3), iter, print);

    public static void SampleFixed<T1, T2, T3, T4>(this Gen<(T1, T2, T3, T4)> gen, Action<T1, T2, T3, T4> assert, long iter,
        Func<(T1, T2, T3, T4), string>? print = null) =>
        gen.SampleFixed(t => assert(t.Item1, t.Item2, t.Item3, t.Item4), iter, print);

    /// <summary>SplitMix64's finaliser: well-spread seeds from consecutive case numbers.</summary>
    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
