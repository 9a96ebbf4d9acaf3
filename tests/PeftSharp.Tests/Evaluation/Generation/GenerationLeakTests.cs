using PeftSharp.Evaluation.Generation;
using PeftSharp.Tests.Models;
using TorchSharp;

namespace PeftSharp.Tests.Evaluation.Generation;

/// <summary>
/// Counts the tensors this test's thread creates and disposes (TorchSharp keeps these statistics per thread), so
/// finalizers and other tests cannot move the count. A tensor left to the garbage collector counts as a leak: its
/// finalizer disposes it on another thread, so this thread's live count never comes back down.
/// </summary>
public class GenerationLeakTests
{
    [Fact]
    public void Generation_leaves_no_tensors_behind()
    {
        using var model = ModelFixtures.LoadCausal("llama_gqa");
        int[][] prompts = [[1, 2, 3], [4, 5]];
        TextGenerator.Generate(model, prompts, new GenerationOptions { MaxNewTokens = 4 }); // warm-up
        var thread = DisposeScopeManager.Statistics;
        long before = thread.ThreadTotalLiveCount, createdBefore = thread.CreatedInScopeCount + thread.CreatedOutsideScopeCount;
        TextGenerator.Generate(model, prompts, new GenerationOptions { MaxNewTokens = 6 });
        TextGenerator.Generate(model, prompts, new GenerationOptions { MaxNewTokens = 6, NumBeams = 3, NoRepeatNgramSize = 2 });
        TextGenerator.Generate(model, prompts, new GenerationOptions { MaxNewTokens = 6, DoSample = true, Seed = 1, TopP = 0.9 });
        TextGenerator.Generate(model, prompts, new GenerationOptions { MaxNewTokens = 6, UseCache = false });
        // The generation ran on this thread: otherwise the count below would pass without measuring anything.
        Assert.True(thread.CreatedInScopeCount + thread.CreatedOutsideScopeCount - createdBefore > 100, thread.ToString());
        Assert.True(before == thread.ThreadTotalLiveCount, $"{thread.ThreadTotalLiveCount - before} tensors left alive ({thread})");
    }
}
