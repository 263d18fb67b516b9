using System.Collections.Concurrent;

namespace Sgl.Platforms.Serving;

/// <summary>What a device communicator is created with.</summary>
/// <param name="Rank">This rank in the group.</param>
/// <param name="WorldSize">Ranks in the group.</param>
/// <param name="LocalRank">This rank's index on its node.</param>
/// <param name="Group">
/// State shared by every rank of the group in this process, for in-process rendezvous: each rank receives
/// the same instance, so ranks that run as threads can meet with <c>GetOrAdd</c>. The runtime disposes
/// values that implement <see cref="IDisposable"/> when the group ends.
/// </param>
public sealed record DeviceCommunicatorContext(int Rank, int WorldSize, int LocalRank, ConcurrentDictionary<string, object> Group)
{
    /// <summary>
    /// Cancelled when another rank of the group fails, so a collective waiting for that rank stops with
    /// <see cref="OperationCanceledException"/> instead of waiting forever.
    /// </summary>
    public CancellationToken Aborted { get; init; }

    /// <summary>
    /// Where ranks in other processes are met, or null when every rank of the group is a thread of this process (they
    /// meet through <see cref="Group"/>, which then holds the whole group). When set, <see cref="Group"/> holds this
    /// rank alone. Added in contract 1.1.
    /// </summary>
    public GroupRendezvous? Rendezvous { get; init; }
}
