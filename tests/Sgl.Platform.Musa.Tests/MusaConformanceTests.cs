using Sgl.Platforms.Testing;

namespace Sgl.Platform.Musa.Tests;

/// <summary>The conformance suite every vendor runs, on one Moore Threads GPU as the mtgpu driver presents it.</summary>
public sealed class MusaConformanceTests : PlatformConformanceTests<MusaPlatform>
{
    protected override void ConfigureDevice(FakeSystemRoot root) =>
        root.WithPciDevice(MusaProbe.MooreThreadsVendorId, 0x0400, driver: "mtgpu").WithDeviceNode("mtgpu.0");
}
