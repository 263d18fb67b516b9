using Sgl.Platforms.Devices;

namespace Sgl.Platforms.Contributions;

/// <summary>A contribution's operations on one opened device (<see cref="DeviceOperationsContribution.Open(ComputeDevice)"/>).</summary>
public interface IDeviceOperations : IDisposable
{
    /// <summary>True when this set runs <paramref name="operation"/> (its kind, shapes and element types) on its device.</summary>
    /// <param name="operation">An operation whose buffers are on the device.</param>
    bool Supports(DeviceOperation operation);

    /// <summary>Enqueues an operation the set supports, in order with the device's other work.</summary>
    /// <param name="operation">The operation.</param>
    void Execute(DeviceOperation operation);
}
