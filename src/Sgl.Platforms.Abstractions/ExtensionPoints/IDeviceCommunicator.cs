namespace Sgl.Platforms.ExtensionPoints;

/// <summary>
/// Collective operations across the ranks of a tensor-parallel group. The type returned by
/// <see cref="Platform.GetDeviceCommunicatorType"/> must have a public constructor taking a
/// <see cref="DeviceCommunicatorContext"/>.
/// </summary>
public interface IDeviceCommunicator : IDisposable
{
    /// <summary>The backend's name (nccl, rccl, hccl, xccl, gloo, mccl, inproc...).</summary>
    string Backend { get; }

    /// <summary>This rank.</summary>
    int Rank { get; }

    /// <summary>Ranks in the group.</summary>
    int WorldSize { get; }

    /// <summary>Sums <paramref name="buffer"/> element-wise across all ranks; every rank receives the sum.</summary>
    /// <param name="buffer">This rank's contribution, overwritten with the sum.</param>
    void AllReduceSum(Span<float> buffer);
}
