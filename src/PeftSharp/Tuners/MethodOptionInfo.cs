using System.Reflection;

namespace PeftSharp.Tuners;

/// <summary>One user-facing option of a method's configuration: its JSON name, help text and property.</summary>
public sealed record MethodOptionInfo(string Name, string Description, PropertyInfo Property)
{
    /// <summary>The value type (nullable value types unwrapped).</summary>
    public Type ValueType => Nullable.GetUnderlyingType(Property.PropertyType) ?? Property.PropertyType;

    /// <summary>Whether configurations of <paramref name="configType"/> have an option of this name (several configs may each declare one, like lora_alpha).</summary>
    public bool AppliesTo(Type configType) => MethodOptions.Of(configType).Any(o => o.Name == Name);
}
