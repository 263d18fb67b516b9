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
}
