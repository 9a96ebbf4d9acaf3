using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;

namespace PeftSharp.Tuners;

/// <summary>
/// The options of the registered methods, read from their configuration types (<see cref="MethodOptionAttribute"/>):
/// what front ends list, and how they set one on a configuration.
/// </summary>
public static class MethodOptions
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyList<MethodOptionInfo>> ByType = new();

    /// <summary>The options of a configuration type, base-class options first.</summary>
    public static IReadOnlyList<MethodOptionInfo> Of(Type configType) => ByType.GetOrAdd(configType, type =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Mark: p.GetCustomAttribute<MethodOptionAttribute>()))
            .Where(p => p.Mark is not null)
            .OrderBy(p => Depth(p.Property.DeclaringType!))
            .Select(p => new MethodOptionInfo(NameOf(p.Property), p.Mark!.Description, p.Property))
            .ToList());

    /// <summary>The options of every registered method, each once (by name), in registration order.</summary>
    public static IReadOnlyList<MethodOptionInfo> All =>
        PeftMethods.All.Select(m => m.ConfigType).OfType<Type>().SelectMany(Of).DistinctBy(o => o.Name).ToList();

    /// <summary>A copy of <paramref name="config"/> with option <paramref name="name"/> set to <paramref name="value"/> (not validated).</summary>
    public static T With<T>(T config, string name, object? value) where T : AdapterConfig
    {
        var option = Of(config.GetType()).FirstOrDefault(o => o.Name == name)
            ?? throw new PeftSharpException($"'{name}' is not an option of {PeftMethods.Of(config).Name} (its options: {string.Join(", ", Of(config.GetType()).Select(o => o.Name))})");
        var copy = (T)config.GetType().GetMethod("<Clone>$")!.Invoke(config, null)!;
        option.Property.SetValue(copy, value);
        return copy;
    }

    /// <summary>The value of option <paramref name="name"/> of <paramref name="config"/>.</summary>
    public static object? ValueOf(AdapterConfig config, string name) =>
        Of(config.GetType()).First(o => o.Name == name).Property.GetValue(config);

    private static string NameOf(PropertyInfo property) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name
        ?? AdapterConfigFile.SerializerOptions.PropertyNamingPolicy!.ConvertName(property.Name);

    private static int Depth(Type type)
    {
        int depth = 0;
        for (var t = type; t is not null; t = t.BaseType) depth++;
        return depth;
    }
}
