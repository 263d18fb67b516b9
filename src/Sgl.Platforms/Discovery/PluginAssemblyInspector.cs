using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Collections.Immutable;
using Sgl.Platforms.Contributions;
using Sgl.Platforms.Matching;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// Reads a plugin assembly's platform exports, metadata and contract reference with
/// System.Reflection.Metadata, so that excluded, rejected or incompatible plugins never load.
/// </summary>
internal static class PluginAssemblyInspector
{
    internal const string ContractAssemblyName = "Sgl.Platforms.Abstractions";
    private const string PlatformTypeName = "Sgl.Platforms.Platform";
    private const string ExportAttributeName = "System.Composition.ExportAttribute";
    private const string MetadataAttributeName = "Sgl.Platforms.PlatformMetadataAttribute";
    private const string PluginAttributeName = "Sgl.Platforms.PlatformPluginAttribute";
    private const string ContributionAttributeName = "Sgl.Platforms.Contributions.PlatformContributionAttribute";
    private const string HardwareMatchAttributeName = "Sgl.Platforms.HardwareMatchAttribute";

    /// <summary>Inspects the assembly file at <paramref name="path"/>.</summary>
    /// <exception cref="BadImageFormatException">The file is not a .NET assembly.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static PluginAssemblyInfo Inspect(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata)
        {
            throw new BadImageFormatException($"'{path}' is not a .NET assembly (it has no metadata).");
        }

        return Inspect(pe.GetMetadataReader());
    }

    /// <summary>Inspects an assembly image held in memory (an installed plugin's verified bytes).</summary>
    /// <exception cref="BadImageFormatException">The image is not a .NET assembly.</exception>
    public static PluginAssemblyInfo Inspect(byte[] image, string display)
    {
        using var pe = new PEReader(System.Collections.Immutable.ImmutableArray.Create(image));
        if (!pe.HasMetadata)
        {
            throw new BadImageFormatException($"'{display}' is not a .NET assembly (it has no metadata).");
        }

        return Inspect(pe.GetMetadataReader());
    }

    /// <summary>The plugin assemblies an application's build-time manifest (<c>[assembly: PlatformPlugin]</c>) declares, each with its index when it has one.</summary>
    /// <exception cref="BadImageFormatException">The file is not a .NET assembly.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static IReadOnlyList<(string Name, string? Index)> ReadPluginManifest(string applicationPath)
    {
        using var stream = File.OpenRead(applicationPath);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata)
        {
            throw new BadImageFormatException($"'{applicationPath}' is not a .NET assembly (it has no metadata).");
        }

        var reader = pe.GetMetadataReader();
        var provider = new AttributeTypeProvider();
        var declared = new List<(string, string?)>();
        foreach (var handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = reader.GetCustomAttribute(handle);
            if (AttributeTypeName(reader, attribute) != PluginAttributeName)
            {
                continue;
            }

            var value = attribute.DecodeValue(provider);
            if (value.FixedArguments.FirstOrDefault().Value is string name)
            {
                declared.Add((name, value.NamedArguments.FirstOrDefault(a => a.Name == nameof(PlatformPluginAttribute.Index)).Value as string));
            }
        }

        return declared;
    }

    /// <summary>Inspects an assembly's metadata.</summary>
    public static PluginAssemblyInfo Inspect(MetadataReader reader)
    {
        var definition = reader.GetAssemblyDefinition();
        var name = reader.GetString(definition.Name);
        var version = definition.Version.ToString();
        Version? contract = null;
        foreach (var handle in reader.AssemblyReferences)
        {
            var reference = reader.GetAssemblyReference(handle);
            if (reader.StringComparer.Equals(reference.Name, ContractAssemblyName))
            {
                contract = reference.Version;
            }
        }

        var provider = new AttributeTypeProvider();
        var platformTypes = new Dictionary<TypeDefinitionHandle, bool>();
        var exports = new List<PlatformExportInfo>();
        var unexported = new List<string>();
        var contributions = new List<ContributionExportInfo>();
        foreach (var typeHandle in reader.TypeDefinitions)
        {
            var type = reader.GetTypeDefinition(typeHandle);
            if ((type.Attributes & TypeAttributes.Abstract) != 0)
            {
                continue;
            }

            if (!DerivesFromPlatform(reader, typeHandle, platformTypes))
            {
                if (ReadContribution(reader, type, provider) is { } contribution)
                {
                    contributions.Add(contribution);
                }

                continue;
            }

            var fullName = FullName(reader, type);
            var exported = false;
            PlatformMetadata? metadata = null;
            var rules = new List<HardwareRule>();
            foreach (var attributeHandle in type.GetCustomAttributes())
            {
                var attribute = reader.GetCustomAttribute(attributeHandle);
                var attributeType = AttributeTypeName(reader, attribute);
                if (attributeType == ExportAttributeName)
                {
                    var value = attribute.DecodeValue(provider);
                    exported |= value.FixedArguments.Any(a => a.Value is string t && IsPlatformContract(t));
                }
                else if (attributeType == MetadataAttributeName)
                {
                    metadata = DecodeMetadata(attribute.DecodeValue(provider));
                }
                else if (attributeType == HardwareMatchAttributeName)
                {
                    rules.Add(DecodeHardwareRule(attribute.DecodeValue(provider)));
                }
            }

            if (exported)
            {
                exports.Add(new PlatformExportInfo(fullName, metadata) { HardwareRules = rules });
            }
            else
            {
                unexported.Add(fullName);
            }
        }

        var informational = InformationalVersion(reader, provider);
        return new PluginAssemblyInfo(name, informational ?? version, contract, exports, unexported) { Contributions = contributions };
    }

    /// <summary>
    /// A type exported as one of the contribution contracts, with its <c>[PlatformContribution]</c> metadata (null fields
    /// when the attribute is missing, which validation reports); null when the type exports no contribution.
    /// </summary>
    private static ContributionExportInfo? ReadContribution(MetadataReader reader, TypeDefinition type, AttributeTypeProvider provider)
    {
        ContributionKind? kind = null;
        CustomAttributeValue<string>? metadata = null;
        foreach (var attributeHandle in type.GetCustomAttributes())
        {
            var attribute = reader.GetCustomAttribute(attributeHandle);
            var attributeType = AttributeTypeName(reader, attribute);
            if (attributeType == ExportAttributeName)
            {
                foreach (var argument in attribute.DecodeValue(provider).FixedArguments)
                {
                    kind ??= argument.Value is string t ? ContributionContracts.KindOf(t) : null;
                }
            }
            else if (attributeType == ContributionAttributeName)
            {
                metadata = attribute.DecodeValue(provider);
            }
        }

        if (kind is null)
        {
            return null;
        }

        var info = new ContributionExportInfo(FullName(reader, type), kind.Value) { HasMetadata = metadata is not null };
        if (metadata is not { } value)
        {
            return info;
        }

        info = info with { Name = value.FixedArguments.FirstOrDefault().Value as string ?? "" };
        foreach (var named in value.NamedArguments)
        {
            info = named.Name switch
            {
                nameof(PlatformContributionAttribute.Extends) => info with { Extends = named.Value as string },
                nameof(PlatformContributionAttribute.ExtendsKind) when named.Value is int extendsKind => info with { ExtendsKind = (PlatformEnum)extendsKind },
                nameof(PlatformContributionAttribute.Priority) when named.Value is int priority => info with { Priority = priority },
                nameof(PlatformContributionAttribute.Vendor) => info with { Vendor = named.Value as string ?? "" },
                _ => info,
            };
        }

        return info;
    }

    private static bool IsPlatformContract(string serializedTypeName) =>
        serializedTypeName == PlatformTypeName || serializedTypeName.StartsWith(PlatformTypeName + ",", StringComparison.Ordinal);

    /// <summary>The attribute's arguments as MEF's metadata dictionary, read by the same constructor MEF uses.</summary>
    private static PlatformMetadata DecodeMetadata(CustomAttributeValue<string> value)
    {
        var entries = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [nameof(PlatformMetadataAttribute.Name)] = value.FixedArguments.FirstOrDefault().Value as string ?? "",
        };
        foreach (var named in value.NamedArguments)
        {
            switch (named.Name)
            {
                case nameof(PlatformMetadataAttribute.Kind) when named.Value is int kind:
                    entries[named.Name] = (PlatformEnum)kind;
                    break;
                case nameof(PlatformMetadataAttribute.Priority) or nameof(PlatformMetadataAttribute.Vendor) when named.Value is not null:
                    entries[named.Name!] = named.Value;
                    break;
            }
        }

        return new PlatformMetadata(entries);
    }

    /// <summary>A <c>[HardwareMatch]</c> as written; validation judges it later, so a malformed rule is quoted, not dropped.</summary>
    private static HardwareRule DecodeHardwareRule(CustomAttributeValue<string> value)
    {
        var rule = new HardwareRule(null);
        foreach (var named in value.NamedArguments)
        {
            rule = named.Name switch
            {
                nameof(HardwareMatchAttribute.PciVendor) when named.Value is ushort vendor => rule with { PciVendor = vendor },
                nameof(HardwareMatchAttribute.PciDevices) => rule with { PciDevices = Elements<ushort>(named.Value) },
                nameof(HardwareMatchAttribute.PciClasses) => rule with { PciClasses = Elements<ushort>(named.Value) },
                nameof(HardwareMatchAttribute.DeviceNodes) => rule with { DeviceNodes = Elements<string?>(named.Value).Select(s => s ?? "").ToList() },
                nameof(HardwareMatchAttribute.KernelDrivers) => rule with { KernelDrivers = Elements<string?>(named.Value).Select(s => s ?? "").ToList() },
                _ => rule,
            };
        }

        return rule;
    }

    private static List<T> Elements<T>(object? array) =>
        array is ImmutableArray<CustomAttributeTypedArgument<string>> items ? items.Select(i => i.Value is T t ? t : default!).ToList() : [];

    private static string? InformationalVersion(MetadataReader reader, AttributeTypeProvider provider)
    {
        foreach (var handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = reader.GetCustomAttribute(handle);
            if (AttributeTypeName(reader, attribute) == "System.Reflection.AssemblyInformationalVersionAttribute")
            {
                return attribute.DecodeValue(provider).FixedArguments.FirstOrDefault().Value as string;
            }
        }

        return null;
    }

    private static bool DerivesFromPlatform(MetadataReader reader, TypeDefinitionHandle handle, Dictionary<TypeDefinitionHandle, bool> known)
    {
        if (known.TryGetValue(handle, out var result))
        {
            return result;
        }

        known[handle] = false; // guards against cycles in malformed metadata
        var baseType = reader.GetTypeDefinition(handle).BaseType;
        result = !baseType.IsNil && baseType.Kind switch
        {
            HandleKind.TypeReference => IsPlatformReference(reader, (TypeReferenceHandle)baseType),
            HandleKind.TypeDefinition => DerivesFromPlatform(reader, (TypeDefinitionHandle)baseType, known),
            _ => false,
        };
        known[handle] = result;
        return result;
    }

    private static bool IsPlatformReference(MetadataReader reader, TypeReferenceHandle handle)
    {
        var reference = reader.GetTypeReference(handle);
        return reader.StringComparer.Equals(reference.Name, "Platform")
            && reader.StringComparer.Equals(reference.Namespace, "Sgl.Platforms");
    }

    private static string? AttributeTypeName(MetadataReader reader, CustomAttribute attribute)
    {
        EntityHandle type;
        if (attribute.Constructor.Kind == HandleKind.MemberReference)
        {
            type = reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
        }
        else if (attribute.Constructor.Kind == HandleKind.MethodDefinition)
        {
            type = reader.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType();
        }
        else
        {
            return null;
        }

        return type.Kind switch
        {
            HandleKind.TypeReference => FullName(reader, reader.GetTypeReference((TypeReferenceHandle)type)),
            HandleKind.TypeDefinition => FullName(reader, reader.GetTypeDefinition((TypeDefinitionHandle)type)),
            _ => null,
        };
    }

    private static string FullName(MetadataReader reader, TypeReference type) =>
        Join(reader.GetString(type.Namespace), reader.GetString(type.Name));

    private static string FullName(MetadataReader reader, TypeDefinition type)
    {
        var name = Join(reader.GetString(type.Namespace), reader.GetString(type.Name));
        var declaring = type.GetDeclaringType();
        return declaring.IsNil ? name : FullName(reader, reader.GetTypeDefinition(declaring)) + "+" + name;
    }

    private static string Join(string ns, string name) => ns.Length == 0 ? name : ns + "." + name;

    /// <summary>Decodes attribute arguments with types as serialized names and enums as their underlying int.</summary>
    private sealed class AttributeTypeProvider : ICustomAttributeTypeProvider<string>
    {
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();

        public string GetSystemType() => "System.Type";

        public string GetSZArrayType(string elementType) => elementType + "[]";

        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) =>
            FullName(reader, reader.GetTypeDefinition(handle));

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) =>
            FullName(reader, reader.GetTypeReference(handle));

        public string GetTypeFromSerializedName(string name) => name;

        // Every enum in the attributes we read (PlatformEnum) is int-based.
        public PrimitiveTypeCode GetUnderlyingEnumType(string type) => PrimitiveTypeCode.Int32;

        public bool IsSystemType(string type) => type == "System.Type";
    }
}
