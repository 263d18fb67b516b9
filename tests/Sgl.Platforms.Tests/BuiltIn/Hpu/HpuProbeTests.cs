using Sgl.Platforms.BuiltIn.Hpu;
using Sgl.Platforms.Serving;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Testing;

namespace Sgl.Platforms.Tests.BuiltIn.Hpu;

public sealed class HpuProbeTests
{
    [Fact]
    public void Gaudi_devices_with_habanalabs_and_accel_nodes_are_available()
    {
        using var root = new FakeSystemRoot()
            .WithPciDevice(0x1da3, 0x1020, 0x120000, driver: "habanalabs", address: "0000:19:00.0")
            .WithPciDevice(0x1da3, 0x1060, 0x120000, driver: "habanalabs", address: "0000:1a:00.0")
            .WithDeviceNode("accel/accel0").WithDeviceNode("accel/accel1").WithDeviceNode("accel/accel_controlD0")
            .WithFile("sys/module/habanalabs/version", "1.18.0-524\n");

        var result = new HpuPlatform().Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.Available, result.Reason);
        result.Devices.Select(d => (d.Index, d.Name, d.PciBusId)).Should().Equal(
            (0, "Intel Gaudi 2", "0000:19:00.0"),
            (1, "Intel Gaudi 3", "0000:1a:00.0"));
        result.Devices.Should().OnlyContain(d => d.DriverVersion == "1.18.0-524");
        result.Reason.Should().NotContain("accel_controlD0");
    }

    [Fact]
    public void Older_hl_nodes_count_too()
    {
        using var root = new FakeSystemRoot()
            .WithPciDevice(0x1da3, 0x1000, 0x120000, driver: "habanalabs")
            .WithDeviceNode("hl0").WithDeviceNode("hl_controlD0");

        var result = new HpuPlatform().Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.Available, result.Reason);
        result.Devices.Single().Name.Should().Be("Intel Gaudi");
    }

    [Fact]
    public void Gaudi_without_device_nodes_is_unavailable_and_says_how_to_pass_them()
    {
        using var root = new FakeSystemRoot().WithPciDevice(0x1da3, 0x1020, 0x120000, driver: "habanalabs", address: "0000:19:00.0");

        var result = new HpuPlatform().Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.Unavailable);
        result.Reason.Should().Contain("0000:19:00.0 [1da3:1020]").And.Contain("--runtime=habana");
    }

    [Fact]
    public void Gaudi_without_the_habanalabs_driver_is_unavailable()
    {
        using var root = new FakeSystemRoot().WithPciDevice(0x1da3, 0x1020, 0x120000).WithDeviceNode("accel/accel0");

        var result = new HpuPlatform().Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.Unavailable);
        result.Reason.Should().Contain("modprobe habanalabs");
    }

    [Fact]
    public void Accel_nodes_of_another_driver_are_not_gaudi()
    {
        using var root = new FakeSystemRoot().WithPciDevice(0x8086, 0x7d1d, 0x120000, driver: "intel_vpu").WithDeviceNode("accel/accel0");

        var result = new HpuPlatform().Probe(new ProbeContext(root.View()));

        result.Status.Should().Be(ProbeStatus.NotPresent);
        result.Reason.Should().Contain("/dev/accel/accel0 belong to another accelerator driver");
    }

    [Fact]
    public void Hpu_fills_hccl_without_overriding_the_user()
    {
        var platform = new HpuPlatform();
        var empty = new ServerArgs();
        var user = new ServerArgs { DistributedBackend = "gloo" };

        platform.Serving.ApplyServerArgsDefaults(empty);
        platform.Serving.ApplyServerArgsDefaults(user);

        platform.DeviceVisibilityEnvironmentVariable.Should().Be("HABANA_VISIBLE_MODULES");
        empty.DistributedBackend.Should().Be("hccl");
        user.DistributedBackend.Should().Be("gloo");
    }
}
