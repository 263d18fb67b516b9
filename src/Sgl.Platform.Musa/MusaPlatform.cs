using System.Composition;
using Sgl.Platform.Musa.Mtml;
using Sgl.Platforms;
using Sgl.Platforms.Probing;

namespace Sgl.Platform.Musa;

/// <summary>
/// Moore Threads MUSA. Selected on machines with a Moore Threads GPU and its <c>mtgpu</c> driver;
/// outranks the built-in accelerators (priority 200) as every vendor plugin does by default.
/// </summary>
/// <remarks>
/// This package ships the probe and the platform's identity, not MUSA kernels: it has no device layer, so the
/// runtimes compute on the host CPU reference on a MUSA machine and say so. A MUSA device layer (a
/// <c>ComputeDevice</c> over the MUSA driver, as ggml's MUSA backend is over CUDA's sources) would override
/// <c>OpenDeviceCore</c> and <c>DescribeCapabilities</c>.
/// </remarks>
[Export(typeof(Platforms.Platform))]
[PlatformMetadata("musa", Kind = PlatformEnum.Oot, Priority = 200, Vendor = "Moore Threads")]
[HardwareMatch(PciVendor = MusaProbe.MooreThreadsVendorId, PciClasses = [0x03, 0x12])]
[HardwareMatch(DeviceNodes = ["mtgpu*"])]
public sealed class MusaPlatform : Platforms.Platform
{
    private readonly MusaProbe _probe;

    /// <summary>Creates the platform; cheap, touches no hardware (the host may build it only to probe it).</summary>
    public MusaPlatform()
        : this(MtmlLibrary.DefaultLibraryName)
    {
    }

    /// <summary>Creates the platform with MTML loaded from <paramref name="mtmlLibraryPath"/> (tests pass a shim's full path).</summary>
    /// <param name="mtmlLibraryPath">A file name for the loader search, or a full path.</param>
    internal MusaPlatform(string mtmlLibraryPath)
    {
        _probe = new MusaProbe(mtmlLibraryPath);
    }

    /// <inheritdoc />
    /// <remarks>MCCL is MUSA's collective communication library.</remarks>
    public override string DistributedBackend => "mccl";

    /// <inheritdoc />
    public override string? DeviceVisibilityEnvironmentVariable => "MUSA_VISIBLE_DEVICES";

    /// <inheritdoc />
    protected override ProbeResult ProbeCore(ProbeContext context) => _probe.Probe(context);
}
