using Sgl.Platforms.Devices;
using Sgl.Platforms.Serving;

namespace Sgl.Platforms.BuiltIn.Cpu;

/// <summary>
/// The cpu platform's device communicator: tensor-parallel ranks are threads of one process and meet
/// through the group's shared state, so an all-reduce is a rendezvous in memory rather than a network call.
/// </summary>
internal sealed class CpuCommunicator : IDeviceCommunicator
{
    private const string RendezvousKey = "cpu.all-reduce";
    private readonly AllReduceRendezvous _rendezvous;
    private readonly CancellationToken _aborted;

    public CpuCommunicator(DeviceCommunicatorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfLessThan(context.WorldSize, 1, nameof(context));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)context.Rank, (uint)context.WorldSize, nameof(context));
        Rank = context.Rank;
        WorldSize = context.WorldSize;
        _aborted = context.Aborted;
        _rendezvous = (AllReduceRendezvous)context.Group.GetOrAdd(RendezvousKey, static (_, size) => new AllReduceRendezvous(size), context.WorldSize);
        if (_rendezvous.WorldSize != WorldSize)
        {
            throw new ArgumentException($"Rank {Rank} joined a group of {_rendezvous.WorldSize} ranks claiming a world size of {WorldSize}.", nameof(context));
        }
    }

    /// <inheritdoc />
    public string Backend => "inproc";

    /// <inheritdoc />
    public int Rank { get; }

    /// <inheritdoc />
    public int WorldSize { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The buffer is not a float32 buffer of a cpu device.</exception>
    public void AllReduce(AllReduceOperation operation)
    {
        var buffer = FloatsToSum(operation, Backend);
        if (WorldSize > 1)
        {
            _rendezvous.AllReduceSum(Rank, buffer, _aborted);
        }
    }

    /// <summary>The float32 elements of the operation's cpu buffer, which the cpu communicators (inproc and shm) sum.</summary>
    /// <exception cref="ArgumentException">The buffer is not a float32 buffer of a cpu device.</exception>
    internal static Span<float> FloatsToSum(AllReduceOperation operation, string backend)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (operation.Buffer.Root is not CpuBuffer || operation.Buffer.ElementType != ElementType.Float32)
        {
            throw new ArgumentException($"The {backend} communicator sums float32 buffers of the cpu device; it was given {operation.Buffer} on '{operation.Buffer.Device}'.", nameof(operation));
        }

        return CpuBuffer.Floats(operation.Buffer);
    }

    /// <summary>The shared rendezvous belongs to the group, which disposes it when the group ends.</summary>
    public void Dispose()
    {
    }
}
