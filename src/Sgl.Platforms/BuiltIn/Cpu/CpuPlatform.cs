using System.Composition;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.BuiltIn.Cpu;

/// <summary>The built-in cpu platform.</summary>
[Export(typeof(Platform))]
[PlatformMetadata("cpu", Kind = PlatformEnum.Cpu, Priority = 0, Vendor = "Sgl")]
public sealed class CpuPlatform : Platform
{
    /// <inheritdoc />
    public override string DeviceName => "cpu";

    /// <inheritdoc />
    public override string DeviceType => "cpu";

    /// <inheritdoc />
    public override PlatformEnum Kind => PlatformEnum.Cpu;

    /// <inheritdoc />
    protected override ProbeResult ProbeCore(ProbeContext context) =>
        throw new NotImplementedException("The cpu probe is being written.");
}
