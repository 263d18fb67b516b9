using Sgl.Platforms.Matching;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Discovery;

/// <summary>A platform export found by discovery, before or after it is loaded and probed.</summary>
internal sealed class PlatformCandidate
{
    /// <summary>The platform name from metadata, or what identifies an unreadable candidate.</summary>
    public required string Name { get; init; }

    public required PlatformMetadata Metadata { get; init; }

    public required CandidateSource Source { get; init; }

    /// <summary>The assembly as the report shows it (simple name, or path for files given by the user).</summary>
    public required string AssemblyDisplay { get; init; }

    public required string Version { get; init; }

    /// <summary>Where the assembly comes from; null for built-ins.</summary>
    public PluginAssemblyLocation? Location { get; init; }

    /// <summary>The exported type's full name (for plugins), or the type itself (built-ins).</summary>
    public string? TypeName { get; init; }

    public Type? Type { get; set; }

    /// <summary>The contract version the plugin was compiled against.</summary>
    public Version? ContractVersion { get; init; }

    /// <summary>The <c>[HardwareMatch]</c> rules it declares; empty when it declares none (it is always loaded and probed).</summary>
    public IReadOnlyList<HardwareRule> HardwareRules { get; init; } = [];

    /// <summary>Something the report should say about the candidate whatever its outcome (an index that disagrees with the assembly).</summary>
    public string? Notice { get; set; }

    /// <summary>Set once the candidate has an outcome that stops it (rejected, excluded, failed to load...).</summary>
    public CandidateStatus? Status { get; set; }

    public string? Reason { get; set; }

    public bool IsBuiltIn => Source == CandidateSource.BuiltIn;

    public bool IsPending => Status is null;

    public void Stop(CandidateStatus status, string reason)
    {
        Status = status;
        Reason = reason;
    }
}
