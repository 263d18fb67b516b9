using System.Runtime.CompilerServices;

namespace Sgl.Platforms.Contributions;

/// <summary>
/// The contributions composed with a selected platform, each list ordered from the most preferred (highest
/// priority, then name). The host registers them when it selects the platform; the runtimes read them with
/// <see cref="Of(Platform)"/>.
/// </summary>
public sealed class PlatformContributions
{
    private static readonly ConditionalWeakTable<Platform, PlatformContributions> Registry = new();

    /// <summary>Creates a set; each list is ordered by descending priority, then name.</summary>
    public PlatformContributions(
        IEnumerable<ContributedPart<AttentionBackendContribution>> attentionBackends,
        IEnumerable<ContributedPart<DeviceOperationsContribution>> deviceOperations,
        IEnumerable<ContributedPart<CommunicatorContribution>> communicators)
    {
        AttentionBackends = Ordered(attentionBackends);
        DeviceOperations = Ordered(deviceOperations);
        Communicators = Ordered(communicators);
    }

    /// <summary>No contributions.</summary>
    public static PlatformContributions None { get; } = new([], [], []);

    /// <summary>Attention backends, offered beside the platform's own.</summary>
    public IReadOnlyList<ContributedPart<AttentionBackendContribution>> AttentionBackends { get; }

    /// <summary>Device operation sets, placed before (preferred) or after (gap-filling) the device.</summary>
    public IReadOnlyList<ContributedPart<DeviceOperationsContribution>> DeviceOperations { get; }

    /// <summary>Communicators, tried before (preferred) or after (gap-filling) the platform's own.</summary>
    public IReadOnlyList<ContributedPart<CommunicatorContribution>> Communicators { get; }

    /// <summary>The contributions composed with <paramref name="platform"/>; <see cref="None"/> when it has none.</summary>
    public static PlatformContributions Of(Platform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        return Registry.TryGetValue(platform, out var contributions) ? contributions : None;
    }

    /// <summary>Composes <paramref name="contributions"/> with <paramref name="platform"/>; the host does this on selection, a test or a custom host may too.</summary>
    public static void Register(Platform platform, PlatformContributions contributions)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(contributions);
        Registry.AddOrUpdate(platform, contributions);
    }

    private static ContributedPart<T>[] Ordered<T>(IEnumerable<ContributedPart<T>> parts)
        where T : class =>
        [.. parts.OrderByDescending(p => p.Priority).ThenBy(p => p.Name, StringComparer.Ordinal)];
}
