using System.Composition;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.BuiltIn.Rocm;

/// <summary>The built-in rocm platform: AMD GPUs through ROCm/HIP, found in the KFD topology.</summary>
[Export(typeof(Platform))]
[PlatformMetadata("rocm", Kind = PlatformEnum.Rocm, Priority = 100, Vendor = "AMD")]
[HardwareMatch(PciVendor = RocmProbe.AmdVendorId, PciClasses = [0x03, 0x12])]
[HardwareMatch(DeviceNodes = ["kfd"])]
[HardwareMatch(KernelDrivers = ["amdgpu"])]
public sealed class RocmPlatform : Platform
{
    /// <inheritdoc />
    public override string DistributedBackend => "rccl";

    /// <inheritdoc />
    /// <remarks>The HIP runtime's own variable; HIP also honours CUDA_VISIBLE_DEVICES.</remarks>
    public override string? DeviceVisibilityEnvironmentVariable => "HIP_VISIBLE_DEVICES";

    /// <inheritdoc />
    protected override ProbeResult ProbeCore(ProbeContext context) => RocmProbe.Run(context);
}
