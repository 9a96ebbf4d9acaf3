using PeftSharp.Cli.Output;
using PeftSharp.Workflows;

namespace PeftSharp.Tests.Cli;

/// <summary><c>peft inspect</c>'s output: module paths whole on their line at any terminal width, JSON with ' and Δ as they are.</summary>
public class InspectionTextTests
{
    private const string LongPath = "base_model.model.model.layers.31.self_attn.q_proj_with_a_name_longer_than_a_terminal_line";

    private static readonly InspectionReport Report = new("dora", "LORA", 65_536,
        [new InspectedLayer(LongPath, 4096, 4096, 65_536, null, null), new InspectedLayer("model.layers.0.mlp.up_proj", 4096, 11008, 122_880, 8, [true, false, true])],
        "DoRA's ΔW depends on the base weights: give the base model to compute effective ranks");

    [Fact]
    public void Each_layer_is_one_line_with_its_whole_module_path()
    {
        var lines = InspectionText.Lines(Report).ToList();
        Assert.Contains(lines, l => l.EndsWith("  " + LongPath) && l.Contains(" 4096 ") && l.Contains("65,536"));
        Assert.Contains(lines, l => l.Contains("model.layers.0.mlp.up_proj  active 2/3 █·█") && l.TrimStart().StartsWith("4096"));
    }

    [Fact]
    public void Json_keeps_apostrophes_and_greek_letters_readable()
    {
        var json = InspectionText.Json(Report);
        Assert.Contains("DoRA's ΔW depends", json);
        Assert.DoesNotContain("\\u0027", json);
        Assert.DoesNotContain("\\u0394", json);
        Assert.Equal("DoRA's ΔW depends on the base weights: give the base model to compute effective ranks",
            System.Text.Json.Nodes.JsonNode.Parse(json)!["note"]!.GetValue<string>());
    }
}
