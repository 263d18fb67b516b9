using System.Composition;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.BuiltIn.Rocm;

/// <summary>The built-in rocm platform.</summary>
[Export(typeof(Platform))]
[PlatformMetadata("rocm", Kind = PlatformEnum.Rocm, Priority = 100, Vendor = "Sgl")]
public sealed class RocmPlatform : Platform
{
    /// <inheritdoc />
    public override string DeviceName => "rocm";

    /// <inheritdoc />
    public override string DeviceType => "rocm";

    /// <inheritdoc />
    public override PlatformEnum Kind => PlatformEnum.Rocm;

    /// <inheritdoc />
    protected override ProbeResult ProbeCore(ProbeContext context) =>
        throw new NotImplementedException("The rocm probe is being written.");
}
