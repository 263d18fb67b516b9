namespace Sgl.Platforms.Contributions;

/// <summary>One contribution in the selection report.</summary>
public sealed record ContributionReport
{
    /// <summary>The contribution's name (or, for one without metadata, its type).</summary>
    public required string Name { get; init; }

    /// <summary>The extension point it adds to.</summary>
    public required ContributionKind Kind { get; init; }

    /// <summary>The platform it extends (a name, or <c>kind:Cuda</c>).</summary>
    public required string Extends { get; init; }

    /// <summary>The assembly that holds it.</summary>
    public required string Assembly { get; init; }

    /// <summary>The assembly's informational or file version.</summary>
    public required string Version { get; init; }

    /// <summary>0 fills the platform's gaps; above 0 it is preferred over the platform's own part.</summary>
    public required int Priority { get; init; }

    /// <summary>Who ships it.</summary>
    public string Vendor { get; init; } = "";

    /// <summary>What happened to it.</summary>
    public required ContributionStatus Status { get; init; }

    /// <summary>Why, in words a user can act on; null for an active contribution.</summary>
    public string? Reason { get; init; }
}
