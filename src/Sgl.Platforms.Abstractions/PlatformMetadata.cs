namespace Sgl.Platforms;

/// <summary>
/// The metadata view of an exported <see cref="Platform"/>, filled from its
/// <see cref="PlatformMetadataAttribute"/>. The host imports <c>Lazy&lt;Platform, PlatformMetadata&gt;</c>
/// so this is available before the platform is constructed.
/// </summary>
public sealed class PlatformMetadata
{
    /// <summary>Creates an empty view; MEF fills it through the property setters.</summary>
    public PlatformMetadata()
    {
    }

    /// <summary>Creates a view from a MEF metadata dictionary.</summary>
    /// <param name="metadata">The export's metadata.</param>
    public PlatformMetadata(IDictionary<string, object> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        Name = metadata.TryGetValue(nameof(Name), out var name) ? name as string ?? "" : "";
        Kind = metadata.TryGetValue(nameof(Kind), out var kind) && kind is PlatformEnum k ? k : PlatformEnum.Oot;
        Priority = metadata.TryGetValue(nameof(Priority), out var priority) && priority is int p ? p : PlatformPriorities.OutOfTree;
        Vendor = metadata.TryGetValue(nameof(Vendor), out var vendor) ? vendor as string ?? "" : "";
    }

    /// <summary>The platform's id.</summary>
    public string Name { get; set; } = "";

    /// <summary>The hardware family.</summary>
    public PlatformEnum Kind { get; set; } = PlatformEnum.Oot;

    /// <summary>Rank among available platforms; higher wins.</summary>
    public int Priority { get; set; } = PlatformPriorities.OutOfTree;

    /// <summary>Who ships the platform.</summary>
    public string Vendor { get; set; } = "";
}
