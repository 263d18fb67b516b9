namespace Sgl.Platforms.Selection;

/// <summary>One platform candidate in the selection report.</summary>
public sealed record CandidateReport
{
    /// <summary>The platform's name (or, for a type that could not be read, what identifies it).</summary>
    public required string Name { get; init; }

    /// <summary>The hardware family, as <c>PlatformEnum</c> names it.</summary>
    public required string Kind { get; init; }

    /// <summary>Where the candidate came from.</summary>
    public required CandidateSource Source { get; init; }

    /// <summary>The assembly that holds it (a simple name, or a path for development and installed plugins).</summary>
    public required string Assembly { get; init; }

    /// <summary>The assembly's informational or file version.</summary>
    public required string Version { get; init; }

    /// <summary>The candidate's priority.</summary>
    public required int Priority { get; init; }

    /// <summary>What happened to it.</summary>
    public required CandidateStatus Status { get; init; }

    /// <summary>Why, in words a user can act on.</summary>
    public string? Reason { get; init; }

    /// <summary>Milliseconds spent constructing and probing it; null when it was not probed.</summary>
    public double? ProbeMs { get; init; }

    /// <summary>The devices the probe found.</summary>
    public IReadOnlyList<DeviceReport> Devices { get; init; } = [];
}
