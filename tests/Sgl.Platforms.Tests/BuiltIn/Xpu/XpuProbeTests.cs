using Sgl.Platforms.BuiltIn.Xpu;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Serving;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Testing;

namespace Sgl.Platforms.Tests.BuiltIn.Xpu;

public sealed class XpuProbeTests
{
    private const string MaxAddress = "0000:29:00.0";

    [Fact]
    public void A_discrete_gpu_with_xe_and_a_render_node_is_available()
    {
        using var root = DiscreteGpu("xe").WithDeviceNode("dri/renderD128");

        var result = new XpuPlatform().Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.Available, result.Reason);
        var gpu = result.Devices.Should().ContainSingle().Subject;
        gpu.PciBusId.Should().Be(MaxAddress);
        gpu.Name.Should().Be("Intel GPU [8086:0bd5] (/dev/dri/renderD128)");
    }

    [Fact]
    public void A_missing_render_node_is_unavailable_and_says_to_pass_dev_dri()
    {
        using var root = DiscreteGpu("i915");

        var result = new XpuPlatform().Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.Unavailable);
        result.Reason.Should().Contain(MaxAddress).And.Contain("--device=/dev/dri");
    }

    [Fact]
    public void A_gpu_without_i915_or_xe_is_unavailable_and_names_the_drivers()
    {
        using var root = new FakeSystemRoot().WithPciDevice(0x8086, 0x56c0, 0x038000, address: "0000:4d:00.0");

        var result = new XpuPlatform().Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.Unavailable);
        result.Reason.Should().Contain("0000:4d:00.0 [8086:56c0] is bound to no driver").And.Contain("i915 or xe");
    }

    [Fact]
    public void An_integrated_gpu_is_skipped_unless_asked_for()
    {
        using var root = new FakeSystemRoot()
            .WithPciDevice(0x8086, 0x46a6, 0x030000, driver: "i915", address: "0000:00:02.0")
            .WithFile("sys/devices/pci0000:00/0000:00:02.0/drm/renderD128/dev", "226:128\n")
            .WithDeviceNode("dri/renderD128");

        var skipped = new XpuPlatform().Probe(new ProbeContext(root.View()));
        var included = new XpuPlatform().Probe(new ProbeContext(root.View(new Dictionary<string, string> { ["SGL_XPU_INCLUDE_INTEGRATED"] = "1" })));

        skipped.Status.Should().Be(ProbeStatus.NotPresent);
        skipped.Reason.Should().Contain("0000:00:02.0").And.Contain("SGL_XPU_INCLUDE_INTEGRATED=1");
        included.Status.Should().Be(ProbeStatus.Available, included.Reason);
    }

    [Fact]
    public void An_intel_npu_or_network_card_is_not_an_xpu()
    {
        using var root = new FakeSystemRoot()
            .WithPciDevice(0x8086, 0x7d1d, 0x120000, driver: "intel_vpu")
            .WithPciDevice(0x8086, 0x1592, 0x020000, driver: "ice");

        var result = new XpuPlatform().Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.NotPresent);
    }

    [Fact]
    public void Xpu_uses_xccl_and_ze_affinity_mask()
    {
        var platform = new XpuPlatform();
        var args = new ServerArgs();

        platform.Serving.ApplyServerArgsDefaults(args);

        platform.DistributedBackend.Should().Be("xccl");
        platform.DeviceVisibilityEnvironmentVariable.Should().Be("ZE_AFFINITY_MASK");
        args.DistributedBackend.Should().Be("xccl");
    }

    private static FakeSystemRoot DiscreteGpu(string driver) =>
        new FakeSystemRoot()
            .WithPciDevice(0x8086, 0x0bd5, 0x038000, driver: driver, address: MaxAddress)
            .WithFile($"sys/devices/pci0000:00/{MaxAddress}/drm/renderD128/dev", "226:128\n")
            .WithFile($"sys/devices/pci0000:00/{MaxAddress}/drm/card1/dev", "226:1\n");
}
