using Sgl.Platforms.Contributions;
using Sgl.Platforms.Matching;

namespace Sgl.Platforms.Discovery;

/// <summary>What a plugin assembly declares, read from its metadata without loading it.</summary>
/// <param name="AssemblyName">The assembly's simple name.</param>
/// <param name="Version">Its informational version, or its assembly version.</param>
/// <param name="ContractVersion">The Sgl.Platforms.Abstractions version it was compiled against, or null when it does not reference the contract.</param>
/// <param name="Exports">The <c>[Export(typeof(Platform))]</c> types with their metadata.</param>
/// <param name="UnexportedPlatformTypes">Non-abstract Platform subclasses without a Platform export.</param>
internal sealed record PluginAssemblyInfo(
    string AssemblyName,
    string Version,
    Version? ContractVersion,
    IReadOnlyList<PlatformExportInfo> Exports,
    IReadOnlyList<string> UnexportedPlatformTypes)
{
    /// <summary>The types exported as contributions (<c>[Export(typeof(AttentionBackendContribution))]</c> and the others).</summary>
    public IReadOnlyList<ContributionExportInfo> Contributions { get; init; } = [];
}

/// <summary>One exported platform type.</summary>
/// <param name="TypeName">The type's full name, for loading it.</param>
/// <param name="Metadata">Its metadata, or null when the type lacks <c>[PlatformMetadata]</c>.</param>
internal sealed record PlatformExportInfo(string TypeName, PlatformMetadata? Metadata)
{
    /// <summary>Its <c>[HardwareMatch]</c> rules as written.</summary>
    public IReadOnlyList<HardwareRule> HardwareRules { get; init; } = [];
}

/// <summary>One exported contribution type, with its <c>[PlatformContribution]</c> metadata as written.</summary>
/// <param name="TypeName">The type's full name, for loading it.</param>
/// <param name="Kind">Which contribution contract it exports.</param>
internal sealed record ContributionExportInfo(string TypeName, ContributionKind Kind)
{
    /// <summary>False when the type lacks <c>[PlatformContribution]</c>.</summary>
    public bool HasMetadata { get; init; }

    public string Name { get; init; } = "";

    public string? Extends { get; init; }

    /// <summary>The platform kind it extends; null when the attribute leaves it unset.</summary>
    public PlatformEnum? ExtendsKind { get; init; }

    public int Priority { get; init; }

    public string Vendor { get; init; } = "";
}
