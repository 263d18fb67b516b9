using System.Composition;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>The built-in cuda platform.</summary>
[Export(typeof(Platform))]
[PlatformMetadata("cuda", Kind = PlatformEnum.Cuda, Priority = 100, Vendor = "Sgl")]
public sealed class CudaPlatform : Platform
{
    /// <inheritdoc />
    public override string DeviceName => "cuda";

    /// <inheritdoc />
    public override string DeviceType => "cuda";

    /// <inheritdoc />
    public override PlatformEnum Kind => PlatformEnum.Cuda;

    /// <inheritdoc />
    protected override ProbeResult ProbeCore(ProbeContext context) =>
        throw new NotImplementedException("The cuda probe is being written.");
}
