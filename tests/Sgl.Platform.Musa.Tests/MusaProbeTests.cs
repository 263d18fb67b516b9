using System.Runtime.InteropServices;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Testing;

namespace Sgl.Platform.Musa.Tests;

public sealed class MusaProbeTests : IDisposable
{
    private const string NoSuchLibrary = "libmtml-not-installed-here.so";
    private readonly FakeSystemRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void An_empty_machine_has_no_musa()
    {
        var result = Probe(NoSuchLibrary);

        result.Status.Should().Be(ProbeStatus.NotPresent);
        result.Reason.Should().Contain("0x1ed5").And.Contain("/dev/mtgpu");
        result.Devices.Should().BeEmpty();
    }

    [Fact]
    public void Other_vendors_gpus_are_not_musa()
    {
        _root.WithPciDevice(0x10de, 0x2330, driver: "nvidia").WithDeviceNode("nvidia0");

        Probe(NoSuchLibrary).Status.Should().Be(ProbeStatus.NotPresent);
    }

    [Fact]
    public void A_card_without_the_driver_is_unavailable_with_the_fix()
    {
        _root.WithPciDevice(0x1ed5, 0x0400, address: "0000:3a:00.0");

        var result = Probe(MtmlShim.TwoDevices);

        result.Status.Should().Be(ProbeStatus.Unavailable);
        result.Reason.Should().Contain("0000:3a:00.0").And.Contain("mtgpu kernel driver is not loaded").And.Contain("--device /dev/mtgpu");
        result.Devices.Should().ContainSingle().Which.PciBusId.Should().Be("0000:3a:00.0");
    }

    [Fact]
    public void Without_mtml_the_devices_come_from_pci_and_the_reason_says_what_is_missing()
    {
        _root.WithPciDevice(0x1ed5, 0x0400, driver: "mtgpu", address: "0000:3a:00.0")
            .WithPciDevice(0x1ed5, 0x0400, classCode: 0x040300, driver: "snd_hda_intel", address: "0000:3a:00.1")
            .WithDeviceNode("mtgpu.0")
            .WithFile("sys/module/mtgpu/version", "2.9.2-000\n");

        var result = Probe(NoSuchLibrary);

        result.Status.Should().Be(ProbeStatus.Available);
        var device = result.Devices.Should().ContainSingle("the HDMI/DP audio function is not a GPU").Which;
        device.Name.Should().Be("Moore Threads GPU [1ed5:0400]");
        device.PciBusId.Should().Be("0000:3a:00.0");
        device.DriverVersion.Should().Be("2.9.2-000");
        device.MemoryBytes.Should().BeNull();
        result.Reason.Should().Contain(NoSuchLibrary).And.Contain("LD_LIBRARY_PATH");
    }

    [Fact]
    public void With_mtml_names_memory_uuids_and_driver_version_come_from_it()
    {
        _root.WithPciDevice(0x1ed5, 0x0400, driver: "mtgpu").WithPciDevice(0x1ed5, 0x0400, driver: "mtgpu")
            .WithDeviceNode("mtgpu.0").WithDeviceNode("mtgpu.1");

        var result = Probe(MtmlShim.TwoDevices);

        result.Status.Should().Be(ProbeStatus.Available);
        result.Reason.Should().Contain("MTML");
        result.Devices.Should().HaveCount(2);
        result.Devices.Select(d => d.Name).Should().AllBe("MTT S4000");
        result.Devices.Select(d => d.MemoryBytes).Should().AllBeEquivalentTo(48L << 30);
        result.Devices.Select(d => d.PciBusId).Should().Equal("00000000:3a:00.0", "00000000:3b:00.0");
        result.Devices.Select(d => d.Uuid).Should().OnlyHaveUniqueItems().And.NotContainNulls();
        result.Devices.Select(d => d.DriverVersion).Should().AllBe("2.9.2-shim");
    }

    [Fact]
    public void Device_nodes_alone_are_enough_evidence()
    {
        // Containers given only the device nodes may not show the card's PCI function.
        _root.WithDeviceNode("mtgpu0");

        var result = Probe(NoSuchLibrary);

        result.Status.Should().Be(ProbeStatus.Available);
        result.Devices.Should().ContainSingle().Which.Name.Should().Contain("/dev/mtgpu0");
    }

    [Fact]
    public void Only_numbered_mtgpu_nodes_count()
    {
        _root.WithDeviceNode("mtgpu0").WithDeviceNode("mtgpu.1").WithDeviceNode("mtgpu/primary").WithDeviceNode("mtgpu-ctl");

        Probe(NoSuchLibrary).Devices.Should().HaveCount(2);
    }

    [Fact]
    public void An_mtml_that_cannot_reach_the_driver_falls_back_and_says_why()
    {
        _root.WithPciDevice(0x1ed5, 0x0400, driver: "mtgpu").WithDeviceNode("mtgpu.0");

        var result = Probe(MtmlShim.DriverNotLoaded);

        result.Status.Should().Be(ProbeStatus.Available);
        result.Devices.Should().ContainSingle();
        result.Reason.Should().Contain("MTML_ERROR_DRIVER_NOT_LOADED");
    }

    [Fact]
    public void An_mtml_with_no_devices_falls_back_to_pci()
    {
        _root.WithPciDevice(0x1ed5, 0x0400, driver: "mtgpu").WithDeviceNode("mtgpu.0");

        var result = Probe(MtmlShim.NoDevices);

        result.Status.Should().Be(ProbeStatus.Available);
        result.Reason.Should().Contain("MTML reports no device");
    }

    [Fact]
    public void A_library_that_is_not_mtml_is_named_with_the_missing_function()
    {
        _root.WithPciDevice(0x1ed5, 0x0400, driver: "mtgpu").WithDeviceNode("mtgpu.0");

        var result = Probe(MtmlShim.NotMtml);

        result.Status.Should().Be(ProbeStatus.Available);
        result.Reason.Should().Contain("mtmlLibraryCountDevice").And.Contain("not a usable MTML");
    }

    [Fact]
    public void The_probe_releases_every_mtml_object_it_opens()
    {
        _root.WithPciDevice(0x1ed5, 0x0400, driver: "mtgpu").WithDeviceNode("mtgpu.0");

        // Keep the shim loaded across the probe so its counter survives the probe's unload.
        var handle = NativeLibrary.Load(MtmlShim.LeakCheck);
        try
        {
            Probe(MtmlShim.LeakCheck).Devices.Should().HaveCount(2);
            OpenObjects(handle).Should().Be(0, "library, system and memory objects must all be shut down or freed");
        }
        finally
        {
            NativeLibrary.Free(handle);
        }
    }

    [Fact]
    public void A_cancelled_probe_stops_before_loading_mtml()
    {
        _root.WithPciDevice(0x1ed5, 0x0400, driver: "mtgpu").WithDeviceNode("mtgpu.0");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var probe = () => new MusaPlatform(MtmlShim.TwoDevices).Probe(new ProbeContext(_root.View(), cancelled.Token));

        probe.Should().Throw<OperationCanceledException>();
    }

    private ProbeResult Probe(string mtmlLibrary) => new MusaPlatform(mtmlLibrary).Probe(new ProbeContext(_root.View()));

    private static unsafe int OpenObjects(IntPtr handle) =>
        ((delegate* unmanaged<int>)NativeLibrary.GetExport(handle, "shim_open_objects"))();
}
