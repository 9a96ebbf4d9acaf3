using PeftSharp.ExternalMethod;
using PeftSharp.Tuners;
using TorchSharp;
using static PeftSharp.Tests.Tuners.TestTensors;
using static TorchSharp.torch;

namespace PeftSharp.Tests.Tuners;

/// <summary>
/// A method written outside PeftSharp (tests/PeftSharp.ExternalMethod, an assembly that sees only the public and
/// protected API) registers with one call and then injects, merges, saves and loads like a built-in one.
/// It runs alone: it changes the registry for its duration.
/// </summary>
[Collection(nameof(RegistryChangingTests))]
public class ThirdPartyMethodTests
{
    [Fact]
    public void A_method_defined_outside_the_library_registers_trains_saves_and_loads()
    {
        using var registration = PeftMethods.Register(new RankOneMethod());
        Assert.Contains("rank-one", PeftMethods.Names);
        Assert.Contains(MethodOptions.All, o => o.Name == "rank_one_scale");

        torch.manual_seed(4);
        var model = new TinyMlp();
        var x = Random(5, 6);
        var before = model.call(x).detach().clone();
        var peft = PeftModel.Create(model, PeftMethods.Get("rank-one").ForBudget(8)! with { TargetModules = TargetModules.FromNames("fc_in", "c_proj") });
        AssertClose(before, model.call(x), 1e-12, "u = 0 at init");
        using (torch.no_grad()) foreach (var t in peft.TrainableParameters()) t.Parameter.normal_();
        var adapted = model.call(x).detach().clone();
        peft.Merge();
        AssertClose(adapted, model.call(x), 1e-10, "merged");
        peft.Unmerge();

        var folder = Directory.CreateTempSubdirectory("peft-third-party-").FullName;
        peft.Save(folder);
        Assert.Contains("\"rank_one_scale\": 2", File.ReadAllText(Path.Combine(folder, AdapterConfigFile.FileName)));
        torch.manual_seed(4);
        var fresh = new TinyMlp();
        var loaded = PeftModel.Load(fresh, folder);
        Assert.Equal("rank-one", PeftMethods.Of(loaded.ActiveConfig).Name);
        AssertClose(adapted, fresh.call(x), 1e-12, "loaded");

        registration.Dispose();
        Assert.DoesNotContain("rank-one", PeftMethods.Names);
        Assert.Contains("unknown peft_type", Assert.ThrowsAny<PeftSharpException>(() => PeftModel.Load(new TinyMlp(), folder)).Message);
    }
}

/// <summary>Tests that change process-wide registries run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(RegistryChangingTests), DisableParallelization = true)]
public sealed class RegistryChangingTests;
