namespace PeftSharp.Models;

/// <summary>The module that runs a model's transformer blocks in turn; <see cref="PretrainedModel.GradientCheckpointing"/> switches it.</summary>
internal interface IBlockStack
{
    /// <summary>Run each block through <see cref="ActivationCheckpoint"/> while training.</summary>
    bool GradientCheckpointing { get; set; }
}
