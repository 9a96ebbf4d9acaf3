using System.Reflection;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftSharp.Tuners;

/// <summary>Finds modules by dotted path and swaps one for another in its parent.</summary>
internal static class ModuleTree
{
    public static nn.Module Get(nn.Module root, string path)
    {
        var module = root;
        foreach (var part in path.Split('.'))
        {
            var child = module.named_children().FirstOrDefault(c => c.name == part).module;
            module = child ?? throw new PeftSharpException($"module '{path}' not found (no child '{part}')");
        }
        return module;
    }

    public static (nn.Module parent, string childName) Parent(nn.Module root, string path)
    {
        int dot = path.LastIndexOf('.');
        return dot < 0 ? (root, path) : (Get(root, path[..dot]), path[(dot + 1)..]);
    }

    /// <summary>
    /// Replaces the child at <paramref name="path"/> with <paramref name="replacement"/>: sets the parent's field
    /// (or list slot) that holds it and re-registers it under the same name, so forward calls the replacement.
    /// </summary>
    public static void Replace(nn.Module root, string path, nn.Module replacement)
    {
        var (parent, name) = Parent(root, path);
        var current = Get(root, path);
        if (parent is ModuleList<nn.Module<Tensor, Tensor>> list && int.TryParse(name, out var index))
            list[index] = (nn.Module<Tensor, Tensor>)replacement;
        else if (parent is not IModuleContainer)
            SetField(parent, current, replacement, path);
        parent.register_module(name, null!);
        parent.register_module(name, replacement);
    }

    private static void SetField(nn.Module parent, nn.Module current, nn.Module replacement, string path)
    {
        for (var type = parent.GetType(); type is not null && type != typeof(nn.Module); type = type.BaseType)
        {
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (!ReferenceEquals(field.GetValue(parent), current)) continue;
                if (!field.FieldType.IsInstanceOfType(replacement))
                    throw new PeftSharpException(
                        $"cannot adapt '{path}': field {type.Name}.{field.Name} is declared {field.FieldType.Name}; declare it as Module<Tensor, Tensor> so an adapter can replace it");
                field.SetValue(parent, replacement);
                return;
            }
        }
        throw new PeftSharpException($"cannot adapt '{path}': its parent {parent.GetType().Name} holds it in no field");
    }
}

/// <summary>A module whose children exist only as registered submodules (no fields), so replacing one is re-registering it.</summary>
internal interface IModuleContainer { }
