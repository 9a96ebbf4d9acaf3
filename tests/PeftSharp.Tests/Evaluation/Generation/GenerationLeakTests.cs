using PeftSharp.Evaluation.Generation;
using PeftSharp.Tests.Models;
using TorchSharp;

namespace PeftSharp.Tests.Evaluation.Generation;

[CollectionDefinition(nameof(TensorCountingCollection), DisableParallelization = true)]
public class TensorCountingCollection;

/// <summary>Counts live tensors (a process-wide number), so it runs alone.</summary>
[Collection(nameof(TensorCountingCollection))]
public class GenerationLeakTests
{
    [Fact]
    public void Generation_leaves_no_tensors_behind()
    {
        using var model = ModelFixtures.LoadCausal("llama_gqa");
        int[][] prompts = [[1, 2, 3], [4, 5]];
        TextGenerator.Generate(model, prompts, new GenerationOptions { MaxNewTokens = 4 }); // warm-up
        // Finalise garbage other tests left, so that only this test's tensors move the count.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = torch.Tensor.TotalCount;
        TextGenerator.Generate(model, prompts, new GenerationOptions { MaxNewTokens = 6 });
        TextGenerator.Generate(model, prompts, new GenerationOptions { MaxNewTokens = 6, NumBeams = 3, NoRepeatNgramSize = 2 });
        TextGenerator.Generate(model, prompts, new GenerationOptions { MaxNewTokens = 6, DoSample = true, Seed = 1, TopP = 0.9 });
        TextGenerator.Generate(model, prompts, new GenerationOptions { MaxNewTokens = 6, UseCache = false });
        Assert.Equal(before, torch.Tensor.TotalCount);
    }
}
