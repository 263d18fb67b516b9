using System.Reflection;

namespace Sgl.Platforms;

/// <summary>
/// The metadata of an exported <see cref="Platform"/>, read from its <see cref="PlatformMetadataAttribute"/>.
/// The host imports <c>Lazy&lt;Platform, PlatformMetadata&gt;</c>, so this is available before the platform is
/// constructed. Immutable once built.
/// </summary>
public sealed class PlatformMetadata
{
    /// <summary>Creates the view from a MEF metadata dictionary (how System.Composition builds it).</summary>
    /// <param name="metadata">The export's metadata.</param>
    public PlatformMetadata(IDictionary<string, object> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        Name = metadata.TryGetValue(nameof(Name), out var name) ? name as string ?? "" : "";
        Kind = metadata.TryGetValue(nameof(Kind), out var kind) && kind is PlatformEnum k ? k : PlatformEnum.Oot;
        Priority = metadata.TryGetValue(nameof(Priority), out var priority) && priority is int p ? p : PlatformPriorities.OutOfTree;
        Vendor = metadata.TryGetValue(nameof(Vendor), out var vendor) ? vendor as string ?? "" : "";
    }

    /// <summary>Creates metadata set with object-initializer syntax (tests, generated platforms, the host's own readers).</summary>
    public PlatformMetadata()
    {
    }

    /// <summary>The platform's id.</summary>
    public string Name { get; init; } = "";

    /// <summary>The hardware family.</summary>
    public PlatformEnum Kind { get; init; } = PlatformEnum.Oot;

    /// <summary>Rank among available platforms; higher wins.</summary>
    public int Priority { get; init; } = PlatformPriorities.OutOfTree;

    /// <summary>Who ships the platform.</summary>
    public string Vendor { get; init; } = "";

    /// <summary>The metadata of <paramref name="platformType"/>'s <see cref="PlatformMetadataAttribute"/>, or null when it has none.</summary>
    /// <param name="platformType">A platform class.</param>
    public static PlatformMetadata? Of(Type platformType)
    {
        ArgumentNullException.ThrowIfNull(platformType);
        return platformType.GetCustomAttribute<PlatformMetadataAttribute>(inherit: false) is { } a
            ? new PlatformMetadata { Name = a.Name, Kind = a.Kind, Priority = a.Priority, Vendor = a.Vendor }
            : null;
    }

    /// <summary>The name.</summary>
    public override string ToString() => Name;
}
