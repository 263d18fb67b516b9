namespace Sgl.Platforms.Devices;

/// <summary>
/// Sums <see cref="Buffer"/> element-wise over the ranks of a tensor-parallel group, in place. Carried out by
/// the rank's communicator (<see cref="Serving.IDeviceCommunicator"/>), never by <see cref="ComputeDevice.Execute(DeviceOperation)"/>.
/// </summary>
public sealed class AllReduceOperation : DeviceOperation
{
    /// <summary>Creates the operation.</summary>
    /// <param name="buffer">The rank's contribution, replaced by the sum; floating point.</param>
    /// <exception cref="TensorShapeException">The buffer is not floating point.</exception>
    public AllReduceOperation(DeviceBuffer buffer)
    {
        Buffer = NotNull(buffer, nameof(buffer));
        SetOperands([("Buffer", buffer)], [("Buffer", buffer)]);
        RequireFloatingPoint(buffer, "Buffer");
    }

    /// <inheritdoc />
    public override OperationKind Kind => OperationKind.AllReduce;

    /// <summary>The buffer summed in place.</summary>
    public DeviceBuffer Buffer { get; }
}
