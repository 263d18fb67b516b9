using Sgl.Platforms.Discovery;

namespace Sgl.Platforms.Contributions;

/// <summary>A contribution export found by discovery, read from metadata; nothing of it is loaded until its platform is selected.</summary>
internal sealed class ContributionCandidate
{
    public required ContributionExportInfo Export { get; init; }

    public required PluginAssemblyLocation Location { get; init; }

    public required string AssemblyDisplay { get; init; }

    public required string Version { get; init; }

    public Version? ContractVersion { get; init; }

    public ContributionStatus? Status { get; private set; }

    public string? Reason { get; private set; }

    public bool IsPending => Status is null;

    /// <summary>The name the report shows: the metadata's, or the type's when the metadata is missing.</summary>
    public string DisplayName => Export.Name.Length > 0 ? Export.Name : Export.TypeName;

    /// <summary>The target as the report shows it: a platform name, or <c>kind:Cuda</c>.</summary>
    public string Target => Export.Extends ?? (Export.ExtendsKind is { } kind ? $"kind:{kind}" : "");

    public bool Extends(PlatformCandidate platform) =>
        Export.Extends is { } name ? name == platform.Name : Export.ExtendsKind == platform.Metadata.Kind;

    public void Stop(ContributionStatus status, string reason)
    {
        Status = status;
        Reason = reason;
    }

    public ContributionReport ToReport() => new()
    {
        Name = DisplayName,
        Kind = Export.Kind,
        Extends = Target,
        Assembly = AssemblyDisplay,
        Version = Version,
        Priority = Export.Priority,
        Vendor = Export.Vendor,
        Status = Status ?? ContributionStatus.Active,
        Reason = Reason,
    };
}
