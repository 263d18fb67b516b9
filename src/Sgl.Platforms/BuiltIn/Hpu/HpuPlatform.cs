using System.Composition;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.BuiltIn.Hpu;

/// <summary>The built-in hpu platform.</summary>
[Export(typeof(Platform))]
[PlatformMetadata("hpu", Kind = PlatformEnum.Hpu, Priority = 100, Vendor = "Sgl")]
public sealed class HpuPlatform : Platform
{
    /// <inheritdoc />
    public override string DeviceName => "hpu";

    /// <inheritdoc />
    public override string DeviceType => "hpu";

    /// <inheritdoc />
    public override PlatformEnum Kind => PlatformEnum.Hpu;

    /// <inheritdoc />
    protected override ProbeResult ProbeCore(ProbeContext context) =>
        throw new NotImplementedException("The hpu probe is being written.");
}
