using System.Composition;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.BuiltIn.Npu;

/// <summary>The built-in npu platform: Huawei Ascend NPUs through CANN.</summary>
[Export(typeof(Platform))]
[PlatformMetadata("npu", Kind = PlatformEnum.Npu, Priority = 100, Vendor = "Huawei")]
[HardwareMatch(PciVendor = NpuProbe.HuaweiVendorId, PciClasses = [0x03, 0x12])]
[HardwareMatch(DeviceNodes = ["davinci*"])]
public sealed class NpuPlatform : Platform
{
    /// <inheritdoc />
    public override string DistributedBackend => "hccl";

    /// <inheritdoc />
    public override string? DeviceVisibilityEnvironmentVariable => "ASCEND_RT_VISIBLE_DEVICES";

    /// <inheritdoc />
    protected override ProbeResult ProbeCore(ProbeContext context) => NpuProbe.Run(context);
}
