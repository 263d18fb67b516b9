#if (!platformNameIsId)
#error The platform name 'exampleid' is not a lowercase id: it must start with a lowercase letter, then lowercase letters, digits, '-' or '_' (at most 64 characters). Run dotnet new sgl-platform again with --platform <id>.
#endif
#if (platformNameIsReserved)
#error The platform name 'exampleid' is reserved for a built-in platform (cuda, rocm, npu, xpu, hpu, cpu). Run dotnet new sgl-platform again with another --platform.
#endif
using System.Composition;
using Sgl.Platforms;
using Sgl.Platforms.Probing;

namespace Sgl.Platform.Example;

/// <summary>
/// The Example Vendor platform. Selected on machines with the vendor's hardware and its kernel driver;
/// outranks the built-in accelerators (priority 100) when its priority is above theirs.
/// </summary>
/// <remarks>
/// <para>Inside namespace Sgl.Platform.Example the simple name <c>Platform</c> binds to the namespace
/// <c>Sgl.Platform</c>, so the base class is written <c>Platforms.Platform</c>.</para>
/// <para>The platform's identity (name, kind, priority) is its [PlatformMetadata], written once. Until it
/// has a device layer (override <c>OpenDeviceCore</c> with a <c>ComputeDevice</c> over the vendor's driver and
/// declare its operations in <c>DescribeCapabilities</c>), the runtimes compute on the host CPU reference and
/// say so; the conformance suite checks every operation it declares against that reference.</para>
/// </remarks>
[Export(typeof(Platforms.Platform))]
[PlatformMetadata("exampleid", Kind = PlatformEnum.Oot, Priority = PRIORITY_VALUE, Vendor = "Example Vendor")]
[HardwareMatch(PciVendor = ExampleProbe.VendorId, PciClasses = [0x03, 0x12])]
[HardwareMatch(DeviceNodes = [ExampleProbe.DeviceNodePattern])]
public sealed class ExamplePlatform : Platforms.Platform
{
    /// <summary>Creates the platform; cheap, touches no hardware (the host may build it only to probe it).</summary>
    public ExamplePlatform()
    {
    }

    /// <inheritdoc />
    /// <remarks>Replace with the vendor's collective communication library once the runtime can use it.</remarks>
    public override string DistributedBackend => "gloo";

    /// <inheritdoc />
    protected override ProbeResult ProbeCore(ProbeContext context) => ExampleProbe.Probe(context);
}
