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
    IReadOnlyList<string> UnexportedPlatformTypes);

/// <summary>One exported platform type.</summary>
/// <param name="TypeName">The type's full name, for loading it.</param>
/// <param name="Metadata">Its metadata, or null when the type lacks <c>[PlatformMetadata]</c>.</param>
internal sealed record PlatformExportInfo(string TypeName, PlatformMetadata? Metadata);
