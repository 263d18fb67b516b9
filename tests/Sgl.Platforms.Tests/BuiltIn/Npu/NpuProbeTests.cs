using Sgl.Platforms.BuiltIn.Npu;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Serving;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Testing;

namespace Sgl.Platforms.Tests.BuiltIn.Npu;

public sealed class NpuProbeTests
{
    [Fact]
    public void Davinci_nodes_with_the_manager_are_available_with_the_driver_version()
    {
        using var root = new FakeSystemRoot()
            .WithDeviceNode("davinci0").WithDeviceNode("davinci1").WithDeviceNode("davinci_manager")
            .WithPciDevice(0x19e5, 0xd802, 0x120000, address: "0000:c1:00.0")
            .WithFile("usr/local/Ascend/driver/version.info", "Version=24.1.rc2\nascendhal_version=7.35.23\n");

        var result = new NpuPlatform().Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.Available, result.Reason);
        result.Devices.Select(d => d.Name).Should().Equal("Ascend NPU (/dev/davinci0)", "Ascend NPU (/dev/davinci1)");
        result.Devices.Should().OnlyContain(d => d.DriverVersion == "24.1.rc2");
    }

    [Fact]
    public void Davinci_nodes_without_the_manager_are_unavailable_and_say_what_to_pass()
    {
        using var root = new FakeSystemRoot().WithDeviceNode("davinci0");

        var result = new NpuPlatform().Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.Unavailable);
        result.Reason.Should().Contain("/dev/davinci_manager is missing").And.Contain("--device=/dev/davinci_manager");
    }

    [Fact]
    public void A_huawei_accelerator_without_davinci_nodes_is_unavailable()
    {
        using var root = new FakeSystemRoot().WithPciDevice(0x19e5, 0xd802, 0x120000, address: "0000:c1:00.0");

        var result = new NpuPlatform().Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.Unavailable);
        result.Reason.Should().Contain("0000:c1:00.0 [19e5:d802]").And.Contain("npu-smi").And.Contain("--device=/dev/davinciN");
    }

    [Fact]
    public void A_huawei_network_card_is_not_an_npu()
    {
        using var root = new FakeSystemRoot().WithPciDevice(0x19e5, 0xa222, 0x020000).WithDeviceNode("davinci_manager");

        var result = new NpuPlatform().Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.NotPresent);
        result.Reason.Should().Contain("/dev/davinci[0-9]*");
    }

    [Fact]
    public void Npu_uses_hccl_and_ascend_rt_visible_devices()
    {
        var platform = new NpuPlatform();
        var args = new ServerArgs { DistributedBackend = "gloo" };

        platform.Serving.ApplyServerArgsDefaults(args);

        platform.DistributedBackend.Should().Be("hccl");
        platform.DeviceVisibilityEnvironmentVariable.Should().Be("ASCEND_RT_VISIBLE_DEVICES");
        args.DistributedBackend.Should().Be("gloo", "a value the user set is never overridden");
    }
}
