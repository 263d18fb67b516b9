namespace Sgl.Platforms.Serving;

/// <summary>
/// Where the ranks of a tensor-parallel group that run in separate processes meet before their first collective:
/// a small key-value store served by the launcher. A communicator publishes what its peers need (NCCL's unique id,
/// the name of a shared-memory segment) and reads what they published. Added in contract 1.1.
/// </summary>
/// <remarks>
/// Every key is written once, by one rank; a second write of the same key is refused. Values are small (at most
/// <see cref="MaxValueBytes"/>). Only the processes the launcher started can reach the store: each connection
/// proves it holds the launch's secret, which the launcher hands its workers outside their command line.
/// </remarks>
public abstract class GroupRendezvous
{
    /// <summary>The largest value the store takes, in bytes.</summary>
    public const int MaxValueBytes = 64 * 1024;

    /// <summary>The store's address, <c>host:port</c>: what a communicator that runs its own bootstrap may use as the group's meeting point.</summary>
    public abstract string Address { get; }

    /// <summary>Publishes <paramref name="value"/> under <paramref name="key"/> for the other ranks.</summary>
    /// <exception cref="InvalidOperationException">The key was already written.</exception>
    /// <exception cref="IOException">The store cannot be reached.</exception>
    public abstract void Publish(string key, ReadOnlySpan<byte> value);

    /// <summary>The value under <paramref name="key"/>, waiting until a rank publishes it.</summary>
    /// <exception cref="TimeoutException">No rank published the key within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled.</exception>
    /// <exception cref="IOException">The store cannot be reached.</exception>
    public abstract byte[] Read(string key, TimeSpan timeout, CancellationToken cancellation);
}
