using PeftSharp.Tests.Tuners;
using PeftSharp.Tuners;
using PeftSharp.Tuners.DualLora;
using PeftSharp.Tuners.Lora;

namespace PeftSharp.Tests.Tuners;

/// <summary>Every invalid hyperparameter is rejected with a message naming its PEFT field and the value given.</summary>
public class ConfigValidationTests
{
    private static string Rejection(AdapterConfig config) => Assert.ThrowsAny<PeftSharpException>(config.Validate).Message;

    [Theory]
    [InlineData(0)]
    [InlineData(-4)]
    public void LoRA_r_below_1(int r) =>
        Assert.Equal($"LORA config: 'r' must be ≥ 1, got {r}", Rejection(new LoraConfig { R = r }));

    [Theory]
    [InlineData(0.0)]
    [InlineData(-8.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void LoRA_alpha_not_a_positive_number(double alpha)
    {
        Assert.StartsWith("LORA config: 'lora_alpha' must be a positive number, got ", Rejection(new LoraConfig { LoraAlpha = alpha }));
        Assert.StartsWith("DUAL_LORA config: 'lora_alpha' must be a positive number, got ", Rejection(new DualLoraConfig { LoraAlpha = alpha }));
    }

    [Fact]
    public void DoRA_is_validated_as_LoRA() =>
        Assert.Contains("'r'", Rejection(new LoraConfig { R = 0, UseDora = true }));

    [Theory]
    [InlineData(0, 4, "'r1' must be ≥ 1, got 0")]
    [InlineData(-1, 4, "'r1' must be ≥ 1, got -1")]
    [InlineData(4, 0, "'r2' must be ≥ 1, got 0")]
    public void Dual_LoRA_ranks_below_1(int r1, int r2, string expected) =>
        Assert.Equal($"DUAL_LORA config: {expected}", Rejection(new DualLoraConfig { R1 = r1, R2 = r2 }));

    [Fact]
    public void Dual_LoRA_negative_update_warmup_steps() =>
        Assert.Equal("DUAL_LORA config: 'update_warmup_steps' must be ≥ 0, got -1", Rejection(new DualLoraConfig { UpdateWarmupSteps = -1 }));

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.02)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Dual_LoRA_init_std_not_a_positive_number(double std) =>
        Assert.StartsWith("DUAL_LORA config: 'init_std' must be a positive number, got ", Rejection(new DualLoraConfig { InitStd = std }));

    [Fact]
    public void The_boundary_values_are_accepted()
    {
        new LoraConfig { R = 1, LoraAlpha = 1e-6 }.Validate();
        new DualLoraConfig { R1 = 1, R2 = 1, UpdateWarmupSteps = 0, InitStd = 1e-9 }.Validate();
    }

    [Fact]
    public void Injection_validates_before_touching_the_model()
    {
        var model = new TinyMlp();
        var e = Assert.ThrowsAny<PeftSharpException>(() => PeftModel.Create(model, new DualLoraConfig { R1 = 0, TargetModules = TargetModules.FromNames("fc_in") }));
        Assert.Contains("'r1'", e.Message);
        Assert.IsType<TorchSharp.Modules.Linear>(model.fc_in); // not wrapped
    }
}
