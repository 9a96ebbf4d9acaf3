namespace PeftSharp.Tuners;

/// <summary>
/// Marks a configuration property as a user-facing option of its method: its name is the property's JSON name
/// (PEFT's field name, e.g. <c>lora_alpha</c>), its help text is <see cref="Description"/>, its default is the
/// config's own. Front ends (the <c>peft</c> CLI, recipes) list and set options from these marks only.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MethodOptionAttribute(string description) : Attribute
{
    public string Description { get; } = description;
}
