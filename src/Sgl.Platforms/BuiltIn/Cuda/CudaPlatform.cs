using System.Composition;
using System.Globalization;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>
/// The built-in cuda platform: NVIDIA GPUs. The probe reads NVML only; the CUDA driver is loaded by
/// opening a device (<see cref="Platform.OpenDevice(int, int)"/>) and nowhere else.
/// </summary>
[Export(typeof(Platform))]
[PlatformMetadata("cuda", Kind = PlatformEnum.Cuda, Priority = 100, Vendor = "NVIDIA")]
public sealed class CudaPlatform : Platform
{
    private readonly string _nvmlLibrary;
    private readonly string _cudaLibrary;

    /// <summary>Creates the platform; touches no hardware and loads no library.</summary>
    public CudaPlatform()
        : this(Nvml.DefaultLibraryName, CudaDriver.DefaultLibraryName)
    {
    }

    /// <summary>Creates the platform with other library names or paths (tests load shims this way).</summary>
    /// <param name="nvmlLibrary">The NVML library name or absolute path.</param>
    /// <param name="cudaLibrary">The CUDA driver library name or absolute path.</param>
    internal CudaPlatform(string nvmlLibrary, string cudaLibrary = CudaDriver.DefaultLibraryName)
    {
        _nvmlLibrary = nvmlLibrary;
        _cudaLibrary = cudaLibrary;
    }

    /// <inheritdoc />
    public override string DistributedBackend => "nccl";

    /// <inheritdoc />
    public override string? DeviceVisibilityEnvironmentVariable => CudaVisibleDevices.VariableName;

    /// <inheritdoc />
    /// <remarks>Reads the compute capability NVML reported for the device (for example 9.0 on an H100).</remarks>
    public override DeviceCapability? GetDeviceCapability(int deviceIndex)
    {
        var devices = Devices;
        if (deviceIndex < 0 || deviceIndex >= devices.Count || devices[deviceIndex].Capability is not { } text)
        {
            return null;
        }

        var parts = text.Split('.');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor)
            ? new DeviceCapability(major, minor)
            : null;
    }

    /// <inheritdoc />
    /// <remarks>NVML reports free memory without creating a context.</remarks>
    public override long GetFreeMemory(int deviceIndex) =>
        NvmlMemoryReader.ReadFree(_nvmlLibrary, DeviceUuid(deviceIndex)) ?? base.GetFreeMemory(deviceIndex);

    /// <inheritdoc />
    protected override ProbeResult ProbeCore(ProbeContext context) => CudaProbe.Run(context, _nvmlLibrary);

    private string? DeviceUuid(int deviceIndex)
    {
        var devices = Devices;
        if (deviceIndex < 0 || deviceIndex >= devices.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(deviceIndex), deviceIndex, $"Platform 'cuda' has {devices.Count} device(s).");
        }

        return devices[deviceIndex].Uuid;
    }
}
