using PeftSharp.Tests.Tuners;
using PeftSharp.Tuners;
using PeftSharp.Tuners.Lora2;
using PeftSharp.Tuners.RankAllocation;
using PeftSharp.Workflows;
using TorchSharp;

namespace PeftSharp.Tests.Workflows;

public class InspectWorkflowTests
{
    /// <summary>
    /// A saved LoRA² adapter on fc_in (6 → 5, K 3, init_r 4) whose triplets 1 and 3 were pruned, as the rank allocator
    /// leaves it (masked λ = 0, the others nonzero), with its trainable-parameter count.
    /// </summary>
    internal static (string Directory, bool[] Mask, long Parameters) PrunedLora2Adapter()
    {
        bool[] mask = [true, false, true, false];
        torch.manual_seed(5);
        var peft = PeftModel.Create(new TinyMlp(torch.ScalarType.Float32), new Lora2Config
        {
            K = 3, InitR = 4, TargetR = 2, TargetModules = TargetModules.FromNames("fc_in"),
            RankPattern = new Dictionary<string, bool[]> { ["fc_in.lora_lambda"] = mask },
        });
        using (torch.no_grad())
        {
            foreach (var t in peft.TrainableParameters()) t.Parameter.normal_();
            RankAllocator.ApplyMask((IRankAdaptive)peft.Layers["fc_in"][peft.ActiveAdapter]);
        }
        var directory = Directory.CreateTempSubdirectory("peft-inspect-").FullName;
        peft.Save(directory);
        return (directory, mask, peft.TrainableParameters().Sum(t => t.Parameter.numel()));
    }

    [Fact]
    public void Inspect_reports_the_mask_rank_and_parameters_of_a_partly_pruned_LoRA2_adapter()
    {
        var (adapter, mask, parameters) = PrunedLora2Adapter();
        var report = InspectWorkflow.Run(adapter);
        Assert.Equal(("lora2", "LORA2"), (report.Method, report.PeftType));
        Assert.Equal(parameters, report.TrainableParameters);
        var layer = Assert.Single(report.Layers);
        Assert.Equal(("fc_in", 6L, 5L, parameters), (layer.Path, layer.InFeatures, layer.OutFeatures, layer.Parameters));
        Assert.Equal(mask, layer.ActiveRanks);
        Assert.Equal(2, layer.EffectiveRank); // only the two kept triplets make up ΔW
        Assert.Equal(2.0, report.MeanEffectiveRank);
    }
}
