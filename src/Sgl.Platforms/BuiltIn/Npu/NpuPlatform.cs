using System.Composition;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.BuiltIn.Npu;

/// <summary>The built-in npu platform.</summary>
[Export(typeof(Platform))]
[PlatformMetadata("npu", Kind = PlatformEnum.Npu, Priority = 100, Vendor = "Sgl")]
public sealed class NpuPlatform : Platform
{
    /// <inheritdoc />
    public override string DeviceName => "npu";

    /// <inheritdoc />
    public override string DeviceType => "npu";

    /// <inheritdoc />
    public override PlatformEnum Kind => PlatformEnum.Npu;

    /// <inheritdoc />
    protected override ProbeResult ProbeCore(ProbeContext context) =>
        throw new NotImplementedException("The npu probe is being written.");
}
