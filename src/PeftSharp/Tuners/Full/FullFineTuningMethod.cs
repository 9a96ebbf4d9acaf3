namespace PeftSharp.Tuners.Full;

/// <summary>Full fine-tuning, the baseline every method is judged against: every weight trains, no adapter.</summary>
public sealed class FullFineTuningMethod : PeftMethod
{
    /// <summary>The name of full fine-tuning.</summary>
    public const string MethodName = "full";

    public override string Name => MethodName;
    public override string Title => "full fine-tuning";
    public override string Summary => "every weight (the baseline)";
    public override string Reference => "";
    public override Type? ConfigType => null;
    public override AdapterConfig? ForBudget(int r) => null;
    public override bool Describes(AdapterConfig config) => false;
}
