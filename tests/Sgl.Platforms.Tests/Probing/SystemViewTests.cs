using Sgl.Platforms.Testing;

namespace Sgl.Platforms.Tests.Probing;

public sealed class SystemViewTests
{
    [Fact]
    public void Pci_devices_are_read_with_vendor_class_and_driver()
    {
        using var root = new FakeSystemRoot()
            .WithPciDevice(0x10de, 0x2330, 0x030200, driver: "nvidia", address: "0000:3b:00.0")
            .WithPciDevice(0x8086, 0x1234, 0x020000);

        var devices = root.View().GetPciDevices();

        devices.Should().HaveCount(2);
        var gpu = devices.Single(d => d.VendorId == 0x10de);
        gpu.Address.Should().Be("0000:3b:00.0");
        gpu.DeviceId.Should().Be(0x2330);
        gpu.IsDisplayController.Should().BeTrue();
        gpu.Driver.Should().Be("nvidia");
        root.View().FindPciDevices(0x8086).Should().BeEmpty("a network controller is not an accelerator");
    }

    [Fact]
    public void Device_nodes_are_found_by_pattern_in_natural_order()
    {
        using var root = new FakeSystemRoot()
            .WithDeviceNode("davinci10").WithDeviceNode("davinci2").WithDeviceNode("davinci_manager")
            .WithDeviceNode("dri/renderD128");

        root.View().FindDeviceNodes("davinci?*").Should().Equal("/dev/davinci2", "/dev/davinci10", "/dev/davinci_manager");
        root.View().FindDeviceNodes("dri/renderD*").Should().Equal("/dev/dri/renderD128");
        root.View().FindDeviceNodes("accel/accel*").Should().BeEmpty();
    }

    [Fact]
    public void Missing_files_read_as_null()
    {
        using var root = new FakeSystemRoot();
        root.View().ReadText("/proc/cpuinfo").Should().BeNull();
        root.View().Exists("/dev/kfd").Should().BeFalse();
    }
}
