using Sgl.Platforms.Probing;
using Sgl.Platforms.Testing;

namespace Sgl.Platform.Example.Tests;

/// <summary>The outcome the conformance suite does not cover: hardware present but unusable.</summary>
public sealed class ExampleProbeTests
{
    [Fact]
    public void A_device_without_its_device_node_is_unavailable_and_says_the_driver_is_not_loaded()
    {
        using var root = new FakeSystemRoot().WithPciDevice(ExampleProbe.VendorId, 0x0001, address: "0000:3b:00.0");

        var result = new ExamplePlatform().Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.Unavailable);
        result.Reason.Should().Contain("0000:3b:00.0").And.Contain("driver is not loaded");
    }
}
