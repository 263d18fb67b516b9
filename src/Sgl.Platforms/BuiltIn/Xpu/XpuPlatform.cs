using System.Composition;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.BuiltIn.Xpu;

/// <summary>The built-in xpu platform.</summary>
[Export(typeof(Platform))]
[PlatformMetadata("xpu", Kind = PlatformEnum.Xpu, Priority = 100, Vendor = "Sgl")]
public sealed class XpuPlatform : Platform
{
    /// <inheritdoc />
    public override string DeviceName => "xpu";

    /// <inheritdoc />
    public override string DeviceType => "xpu";

    /// <inheritdoc />
    public override PlatformEnum Kind => PlatformEnum.Xpu;

    /// <inheritdoc />
    protected override ProbeResult ProbeCore(ProbeContext context) =>
        throw new NotImplementedException("The xpu probe is being written.");
}
