using Sgl.Platforms.Devices;

namespace Sgl.Platforms.Contributions;

/// <summary>
/// Device operations for a platform the package does not own (a faster matrix product, a fused norm), exported with
/// <c>[Export(typeof(DeviceOperationsContribution))]</c> and <see cref="PlatformContributionAttribute"/>. Operations the
/// set supports fill the device's gaps, or, with a priority above 0, replace the device's own.
/// </summary>
/// <remarks>
/// Kernels reach the platform's memory through <see cref="DeviceBuffer.TryGetNativeAddress(out NativeAddress)"/> and its
/// queue through <see cref="DeviceQueue.NativeHandle"/>. Contract 1.1.
/// </remarks>
public abstract class DeviceOperationsContribution
{
    /// <summary>Opens the operations on <paramref name="device"/>; null when they cannot run there (another device family, a missing capability).</summary>
    /// <param name="device">An opened device of the platform this extends.</param>
    public abstract IDeviceOperations? Open(ComputeDevice device);
}
