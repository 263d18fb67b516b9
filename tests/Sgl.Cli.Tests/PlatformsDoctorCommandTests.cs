using System.Text.Json;
using Sgl.Cli.Doctor;
using Sgl.Cli.Tests.Support;
using Sgl.Platforms;
using Sgl.Platforms.Testing;
using Sgl.Platforms.Tests.Support;

namespace Sgl.Cli.Tests;

public sealed class PlatformsDoctorCommandTests : IDisposable
{
    private readonly FakeSystemRoot _root = new FakeSystemRoot().WithCpuInfo("Fake Xeon", 8).WithMemInfo(16L << 30, 12L << 30)
        .WithPciDevice(0x8086, 0x1234, classCode: 0x060000).WithKernelModule("e1000e");

    private readonly string _plugins = PluginCompiler.NewDirectory();

    public void Dispose()
    {
        _root.Dispose();
        Directory.Delete(_plugins, recursive: true);
    }

    private Dictionary<string, string?> Environment(params (string Key, string Value)[] extra)
    {
        var environment = new Dictionary<string, string?> { ["SGL_SYSTEM_ROOT"] = _root.Root, ["SGL_PLATFORMS_HOME"] = Path.Combine(_plugins, "home") };
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        return environment;
    }

    private string AcmePlugin() => PluginCompiler.Compile(_plugins, "Vendor.Acme." + Guid.NewGuid().ToString("N"),
        PluginCompiler.PlatformSource("acme", attributes: "[HardwareMatch(PciVendor = 0x1ed5, PciClasses = [0x03])]"));

    [Fact]
    public async Task A_machine_whose_hardware_every_platform_agrees_with_is_consistent_and_exits_0()
    {
        var result = await SglProcess.RunAsync(Environment(), "platforms", "doctor");

        result.ExitCode.Should().Be(0, result.Output + result.Error);
        result.Output.Should().Contain("No problems found").And.Contain("1 PCI function(s)");
    }

    [Fact]
    public async Task A_Moore_Threads_GPU_without_a_plugin_is_named_with_the_package_to_install_and_exits_1()
    {
        _root.WithPciDevice(0x1ed5, 0x0400, driver: "mtgpu", address: "0000:3a:00.0");

        var result = await SglProcess.RunAsync(Environment(), "platforms", "doctor");

        result.ExitCode.Should().Be(1, result.Output + result.Error);
        result.Output.Should().Contain("UnclaimedHardware: found a Moore Threads GPU (PCI 1ed5:0400 at 0000:3a:00.0), but no installed plugin drives it")
            .And.Contain("dotnet add package Sgl.Platform.Musa").And.Contain("sgl platforms install Sgl.Platform.Musa");
    }

    [Fact]
    public async Task A_plugin_that_declares_the_vendor_claims_the_hardware()
    {
        _root.WithPciDevice(0x1ed5, 0x0400, driver: "mtgpu");

        var result = await SglProcess.RunAsync(Environment(("SGL_PLATFORM_PLUGIN_PATH", AcmePlugin())), "platforms", "doctor");

        result.ExitCode.Should().Be(0, result.Output + result.Error);
    }

    [Fact]
    public async Task Json_lists_the_findings_with_kind_message_and_fix()
    {
        _root.WithPciDevice(0x1ed5, 0x0400, driver: "mtgpu");

        var result = await SglProcess.RunAsync(Environment(), "platforms", "doctor", "--json");

        result.ExitCode.Should().Be(1, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        json.RootElement.GetProperty("consistent").GetBoolean().Should().BeFalse();
        var finding = json.RootElement.GetProperty("findings").EnumerateArray().Single();
        finding.GetProperty("kind").GetString().Should().Be("UnclaimedHardware");
        finding.GetProperty("fix").GetString().Should().Contain("Sgl.Platform.Musa");
    }

    [Fact]
    public async Task Settings_that_hide_a_platform_whose_hardware_is_present_are_findings()
    {
        _root.WithPciDevice(0x10de, 0x2330, driver: "nvidia").WithPciDevice(0x1ed5, 0x0400, driver: "mtgpu");

        var result = await SglProcess.RunAsync(
            Environment(("SGL_PLATFORM", "cpu"), ("SGL_PLATFORM_PLUGIN_PATH", AcmePlugin()), ("CUDA_VISIBLE_DEVICES", "")), "platforms", "doctor");

        result.ExitCode.Should().Be(1, result.Output + result.Error);
        result.Output.Should().Contain("HiddenBySetting: found a NVIDIA GPU").And.Contain("'cuda'").And.Contain("Not selected by SGL_PLATFORM=cpu");
        result.Output.Should().Contain("'acme'");
        result.Output.Should().Contain("CUDA_VISIBLE_DEVICES='' hides all 1 NVIDIA GPU(s)");
    }

    [Fact]
    public async Task A_machine_without_readable_PCI_sysfs_is_told_what_could_not_be_read()
    {
        using var bare = new FakeSystemRoot();

        var result = await SglProcess.RunAsync(new Dictionary<string, string?> { ["SGL_SYSTEM_ROOT"] = bare.Root }, "platforms", "doctor");

        result.ExitCode.Should().Be(1, result.Output + result.Error);
        result.Output.Should().Contain("Unreadable: could not read /sys/bus/pci/devices").And.Contain("PCI hardware was not checked");
    }

    [Fact]
    public async Task List_hints_at_doctor_when_doctor_would_find_something()
    {
        _root.WithPciDevice(0x1ed5, 0x0400, driver: "mtgpu");

        var result = await SglProcess.RunAsync(Environment(), "platforms", "list");

        result.ExitCode.Should().Be(0, result.Error);
        result.Output.Should().Contain("hint: 'sgl platforms doctor' finds 1 problem(s): found a Moore Threads GPU");
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void A_loaded_driver_whose_library_is_missing_is_a_finding(bool libraryFound, bool expectFinding)
    {
        _root.WithPciDevice(0x10de, 0x2330, driver: "nvidia").WithKernelModule("nvidia");
        var options = new PlatformOptions { SystemRoot = _root.Root, PlatformsHome = Path.Combine(_plugins, "home") };
        var asked = new List<string>();

        var report = PlatformDoctor.ForOptions(options, l => { asked.Add(l); return libraryFound; }).Examine();

        asked.Should().Equal("libnvidia-ml.so.1");
        report.Findings.Any(f => f.Kind == DoctorFindingKind.DriverWithoutLibrary && f.Message.Contains("the nvidia kernel driver is loaded", StringComparison.Ordinal))
            .Should().Be(expectFinding, string.Join("\n", report.Findings));
    }
}
