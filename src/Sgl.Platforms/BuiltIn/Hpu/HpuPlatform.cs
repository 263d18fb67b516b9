using System.Composition;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.BuiltIn.Hpu;

/// <summary>The built-in hpu platform: Intel Gaudi accelerators through the Habana stack.</summary>
[Export(typeof(Platform))]
[PlatformMetadata("hpu", Kind = PlatformEnum.Hpu, Priority = 100, Vendor = "Intel Habana")]
[HardwareMatch(PciVendor = HpuProbe.HabanaVendorId)]
public sealed class HpuPlatform : Platform
{
    /// <inheritdoc />
    public override string DistributedBackend => "hccl";

    /// <inheritdoc />
    /// <remarks>
    /// HABANA_VISIBLE_MODULES selects modules inside a process (Habana's scaling guide, vLLM's HPU platform);
    /// HABANA_VISIBLE_DEVICES is read by the Habana container runtime when a container starts.
    /// </remarks>
    public override string? DeviceVisibilityEnvironmentVariable => "HABANA_VISIBLE_MODULES";

    /// <inheritdoc />
    protected override ProbeResult ProbeCore(ProbeContext context) => HpuProbe.Run(context);
}
