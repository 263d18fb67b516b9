using System.Composition;
using System.Composition.Hosting.Core;
using System.Reflection;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// Supplies the Platform exports of plain parts to the composition container. A plain part uses nothing
/// of MEF but <c>[Export(typeof(Platform))]</c> and <c>[PlatformMetadata]</c> (no imports, importing
/// constructor, sharing or extra metadata): System.Composition's attributed-part provider would
/// reflect over it and compile an expression tree to construct it, which a cold process pays per part
/// (13 ms for the 6 built-ins and 7 plugins; see docs/performance.md). For such parts, constructing
/// with the public parameterless constructor is everything that provider does. Any other part keeps
/// going through <c>WithParts</c>.
/// </summary>
internal sealed class PlainPlatformPartProvider(IReadOnlyList<PlatformCandidate> parts) : ExportDescriptorProvider
{
    private const string CompositionNamespace = "System.Composition";

    /// <summary>True when <paramref name="type"/> is a plain part that this provider can construct exactly as System.Composition would.</summary>
    public static bool IsPlain(Type type)
    {
        if (!(type.IsPublic || type.IsNestedPublic) || type.IsAbstract || type.ContainsGenericParameters
            || !typeof(Platform).IsAssignableFrom(type) || type.GetConstructor(Type.EmptyTypes) is null)
        {
            return false;
        }

        var exported = false;
        foreach (var attribute in type.GetCustomAttributesData())
        {
            if (attribute.AttributeType == typeof(ExportAttribute))
            {
                // Only the plain contract: the Platform type, no contract name.
                if (attribute.ConstructorArguments is not [{ Value: Type contract }] || contract != typeof(Platform) || attribute.NamedArguments.Count > 0)
                {
                    return false;
                }

                exported = true;
            }
            else if (attribute.AttributeType != typeof(PlatformMetadataAttribute)
                && (attribute.AttributeType.Namespace == CompositionNamespace || attribute.AttributeType.IsDefined(typeof(MetadataAttributeAttribute), inherit: false)))
            {
                return false; // sharing, part metadata, other metadata attributes: the attributed model decides
            }
        }

        return exported && !HasCompositionMembers(type);
    }

    public override IEnumerable<ExportDescriptorPromise> GetExportDescriptors(CompositionContract contract, DependencyAccessor descriptorAccessor)
    {
        if (contract.ContractType != typeof(Platform) || contract.ContractName is not null || contract.MetadataConstraints is not null)
        {
            return NoExportDescriptors;
        }

        return parts.Select(part => new ExportDescriptorPromise(contract, part.TypeName ?? part.Name, isShared: false, NoDependencies,
            _ => ExportDescriptor.Create(Activator(part.Type!), Metadata(part.Metadata))));
    }

    private static CompositeActivator Activator(Type type) => (scope, _) =>
    {
        var part = System.Activator.CreateInstance(type)!;
        if (part is IDisposable disposable)
        {
            // As the attributed model does: a non-shared disposable part is disposed with its scope.
            scope.AddBoundInstance(disposable);
        }

        return part;
    };

    /// <summary>The metadata the attributed model reads from <c>[PlatformMetadata]</c>: one entry per property.</summary>
    private static Dictionary<string, object> Metadata(PlatformMetadata metadata) => new(StringComparer.Ordinal)
    {
        [nameof(PlatformMetadataAttribute.Name)] = metadata.Name,
        [nameof(PlatformMetadataAttribute.Kind)] = metadata.Kind,
        [nameof(PlatformMetadataAttribute.Priority)] = metadata.Priority,
        [nameof(PlatformMetadataAttribute.Vendor)] = metadata.Vendor,
    };

    /// <summary>True when the type or a base below Platform has a member carrying a System.Composition attribute (imports, OnImportsSatisfied...).</summary>
    private static bool HasCompositionMembers(Type type)
    {
        const BindingFlags declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        for (var current = type; current is not null && current != typeof(Platform); current = current.BaseType)
        {
            foreach (var member in current.GetMembers(declared))
            {
                foreach (var attribute in member.GetCustomAttributesData())
                {
                    if (attribute.AttributeType.Namespace == CompositionNamespace)
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }
}
