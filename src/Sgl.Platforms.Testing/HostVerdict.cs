using Sgl.Platforms.Probing;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Testing;

/// <summary>What the host decided about one platform export, as the selection report would show it.</summary>
/// <param name="Name">The platform name (or, for an export the host could not read, what identifies it).</param>
/// <param name="TypeName">The exported type's full name, when known.</param>
/// <param name="Status">
/// The outcome: null when the host admitted the export and would go on to probe it; otherwise the
/// status the selection report would show (Rejected, Failed, TimedOut, Available, NotPresent...).
/// </param>
/// <param name="Reason">The host's reason, in the words the selection report uses.</param>
public sealed record HostVerdict(string Name, string? TypeName, CandidateStatus? Status, string? Reason)
{
    /// <summary>The probe's result, when the verdict comes from <see cref="HostRules.Probe"/> and the probe returned one.</summary>
    public ProbeResult? Result { get; init; }

    /// <summary>How long constructing and probing took, when the verdict comes from <see cref="HostRules.Probe"/>.</summary>
    public TimeSpan? Elapsed { get; init; }

    /// <summary>True when the host admitted the export (before probing) and nothing stopped it.</summary>
    public bool Admitted => Status is null;
}
