namespace PeftSharp.Tuners.DualLora;

/// <summary>Dual LoRA's magnitude activation: ReLU is the method; the rest are the paper's ablations.</summary>
public enum MagnitudeActivation
{
    /// <summary>ReLU(BA), the method.</summary>
    Relu,
    /// <summary>|BA| (Table 6).</summary>
    Abs,
    /// <summary>σ(BA) (Table 6).</summary>
    Sigmoid,
    /// <summary>BA itself: no ReLU on the magnitude group (Table 5, setting 1).</summary>
    None,
}
