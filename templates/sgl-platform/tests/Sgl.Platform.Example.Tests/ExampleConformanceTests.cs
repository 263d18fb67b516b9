using Sgl.Platforms.Testing;

namespace Sgl.Platform.Example.Tests;

/// <summary>
/// The conformance suite every platform plugin runs: export and metadata, the host's admission rules,
/// constructor, probe on an empty machine and on this device, server defaults, attention backends,
/// KV pool and contract version. Each failure says what to fix.
/// </summary>
public sealed class ExampleConformanceTests : PlatformConformanceTests<ExamplePlatform>
{
    /// <summary>One device as the kernel driver presents it: its PCI function and its device node.</summary>
    protected override void ConfigureDevice(FakeSystemRoot root) =>
        root.WithPciDevice(ExampleProbe.VendorId, 0x0001).WithDeviceNode("exampledev0");
}
