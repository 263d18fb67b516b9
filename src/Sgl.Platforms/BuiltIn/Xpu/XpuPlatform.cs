using System.Composition;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.BuiltIn.Xpu;

/// <summary>The built-in xpu platform: Intel GPUs through oneAPI / Level Zero.</summary>
[Export(typeof(Platform))]
[PlatformMetadata("xpu", Kind = PlatformEnum.Xpu, Priority = 100, Vendor = "Intel")]
[HardwareMatch(PciVendor = XpuProbe.IntelVendorId, PciClasses = [0x03, 0x12])]
public sealed class XpuPlatform : Platform
{
    /// <inheritdoc />
    public override string DistributedBackend => "xccl";

    /// <inheritdoc />
    /// <remarks>The Level Zero variable, as vLLM's XPU platform uses.</remarks>
    public override string? DeviceVisibilityEnvironmentVariable => "ZE_AFFINITY_MASK";

    /// <inheritdoc />
    protected override ProbeResult ProbeCore(ProbeContext context) => XpuProbe.Run(context);
}
