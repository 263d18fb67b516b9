using Sgl.Platforms.Devices;

namespace Sgl.Platforms.Serving;

/// <summary>Collective operations across the ranks of a tensor-parallel group, on device buffers. Created by <see cref="ServingHooks.CreateCommunicator"/>.</summary>
public interface IDeviceCommunicator : IDisposable
{
    /// <summary>The backend's name (nccl, rccl, hccl, xccl, gloo, mccl, inproc...).</summary>
    string Backend { get; }

    /// <summary>This rank.</summary>
    int Rank { get; }

    /// <summary>Ranks in the group.</summary>
    int WorldSize { get; }

    /// <summary>Sums <see cref="AllReduceOperation.Buffer"/> element-wise across all ranks, in place, in stream order on its device.</summary>
    /// <param name="operation">The all-reduce; its buffer is on the device the communicator was created for.</param>
    void AllReduce(AllReduceOperation operation);
}
