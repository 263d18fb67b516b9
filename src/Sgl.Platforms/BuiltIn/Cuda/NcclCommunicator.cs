using System.Globalization;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Serving;

namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>
/// The cuda platform's device communicator: NCCL all-reduce on device buffers, enqueued on the device's stream (so it
/// is ordered with the kernels and captured into CUDA graphs with them). Rank 0 creates the group's unique id and
/// shares it through the launcher's rendezvous when ranks are processes, or through the group's in-process state when
/// they are threads; NCCL's own bootstrap then connects the ranks, on one node or several.
/// </summary>
internal sealed class NcclCommunicator : IDeviceCommunicator
{
    /// <summary>The key under which rank 0 publishes the unique id.</summary>
    internal const string UniqueIdKey = "nccl.unique-id";

    private static readonly TimeSpan RendezvousTimeout = TimeSpan.FromMinutes(5);
    private readonly Nccl _nccl;
    private readonly CudaDevice _device;
    private IntPtr _comm;

    public NcclCommunicator(Nccl nccl, CudaDevice device, DeviceCommunicatorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _nccl = nccl;
        _device = device;
        Rank = context.Rank;
        WorldSize = context.WorldSize;
        var id = UniqueId(nccl, context);
        device.MakeCurrent();
        try
        {
            _comm = nccl.InitRank(WorldSize, id, Rank);
        }
        catch (NcclException e)
        {
            throw new NcclException(e.Result, string.Create(CultureInfo.InvariantCulture, $"Rank {Rank} could not join the NCCL group on {device} ({nccl.Path}): {e.Message}"));
        }
    }

    /// <inheritdoc />
    public string Backend => "nccl";

    /// <inheritdoc />
    public int Rank { get; }

    /// <inheritdoc />
    public int WorldSize { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The buffer is not on this communicator's device, or its type has no NCCL equivalent.</exception>
    public void AllReduce(AllReduceOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var buffer = operation.Buffer;
        if (buffer.Root is not CudaBuffer || !ReferenceEquals(buffer.Device, _device))
        {
            throw new ArgumentException($"The nccl communicator of {_device} sums buffers of that device; it was given {buffer} on '{buffer.Device}'.", nameof(operation));
        }

        _device.MakeCurrent();
        _nccl.AllReduceInPlace(CudaBuffer.AddressOf(buffer), buffer.ElementCount, DataType(buffer.ElementType), _comm, _device.Stream);
    }

    public void Dispose()
    {
        if (_comm != IntPtr.Zero)
        {
            _device.MakeCurrent();
            _nccl.Destroy(_comm);
            _comm = IntPtr.Zero;
        }
    }

    /// <summary>ncclDataType_t of <paramref name="type"/>.</summary>
    internal static int DataType(ElementType type) => type switch
    {
        ElementType.Float32 => 7, // ncclFloat32
        ElementType.Float16 => 6, // ncclFloat16
        ElementType.BFloat16 => 9, // ncclBfloat16
        ElementType.Int32 => 2, // ncclInt32
        _ => throw new ArgumentException($"NCCL has no all-reduce for {type}.", nameof(type)),
    };

    private static byte[] UniqueId(Nccl nccl, DeviceCommunicatorContext context)
    {
        if (context.Rendezvous is { } rendezvous)
        {
            if (context.Rank == 0)
            {
                var id = nccl.NewUniqueId();
                rendezvous.Publish(UniqueIdKey, id);
                return id;
            }

            return rendezvous.Read(UniqueIdKey, RendezvousTimeout, context.Aborted);
        }

        // Ranks that are threads of this process: the first to arrive creates the id, the rest take it.
        return (byte[])context.Group.GetOrAdd(UniqueIdKey, _ => nccl.NewUniqueId());
    }
}
