using System.Reflection;
using Sgl.Platforms.BuiltIn;
using Sgl.Platforms.Discovery;
using Sgl.Platforms.Matching;
using Sgl.Platforms.Selection;
using Sgl.Platforms.Tests.Support;

namespace Sgl.Platforms.Tests.Matching;

/// <summary>Declared hardware is matched from the machine before any plugin assembly is opened.</summary>
public sealed class HardwareMatchTests
{
    private const string Explodes = "throw new System.InvalidOperationException(\"plugin code ran\");";

    [Fact]
    public void A_plugin_whose_declared_hardware_is_absent_is_NotPresent_and_its_assembly_is_never_loaded()
    {
        using var scenario = new SelectionScenario();
        scenario.Root.WithPciDevice(0x10de, 0x2330, driver: "nvidia");
        var path = scenario.AddPlugin("acme", constructorBody: Explodes,
            attributes: "[HardwareMatch(PciVendor = 0x1ed5, PciClasses = [0x03, 0x12])]\n[HardwareMatch(DeviceNodes = [\"/dev/acme*\"])]");
        scenario.Options.Platform = "acme,cpu";

        var report = scenario.Resolve();

        var acme = report.Candidates.Single(c => c.Name == "acme");
        acme.Status.Should().Be(CandidateStatus.NotPresent);
        acme.Reason.Should().StartWith("no matching hardware (PCI 1ed5 class 0x03|0x12; or /dev/acme*)");
        acme.ProbeMs.Should().BeNull();
        report.Selected.Should().Be("cpu");
        LoadedAssemblyNames().Should().NotContain(Path.GetFileNameWithoutExtension(path));
    }

    [Fact]
    public void A_plugin_whose_rule_matches_is_loaded_and_probed()
    {
        using var scenario = new SelectionScenario();
        scenario.Root.WithPciDevice(0x1ed5, 0x0400, driver: "mtgpu").WithDeviceNode("acme0");
        scenario.AddPlugin("acme", attributes: "[HardwareMatch(PciVendor = 0x1ed5, PciDevices = [0x0300, 0x0400])]");

        var report = scenario.Resolve();

        report.Selected.Should().Be("acme");
        report.Candidates.Single(c => c.Name == "acme").ProbeMs.Should().NotBeNull();
    }

    [Fact]
    public void Every_criterion_of_one_rule_must_hold_and_any_rule_is_enough()
    {
        using var scenario = new SelectionScenario();
        // The vendor's audio function is there, its GPU function is not: a class-limited rule does not match it.
        scenario.Root.WithPciDevice(0x1ed5, 0x0400, classCode: 0x040300).WithDeviceNode("acme0");
        scenario.AddPlugin("acme", attributes: "[HardwareMatch(PciVendor = 0x1ed5, PciClasses = [0x0302], KernelDrivers = [\"mtgpu\"])]");
        scenario.AddPlugin("zeta", attributes: "[HardwareMatch(PciVendor = 0x1ed5, PciClasses = [0x03])]\n[HardwareMatch(KernelDrivers = [\"zeta_drv\"])]");
        scenario.Root.WithKernelModule("zeta_drv").WithDeviceNode("zeta0");
        scenario.Options.Platform = "acme,zeta";

        var report = scenario.Resolve();

        report.Candidates.Single(c => c.Name == "acme").Reason.Should().Contain("no matching hardware (PCI 1ed5 class 0x0302 and driver mtgpu)");
        report.Candidates.Single(c => c.Name == "zeta").Status.Should().Be(CandidateStatus.Available);
        report.Selected.Should().Be("zeta");
    }

    [Fact]
    public void Without_a_PCI_bus_in_sysfs_a_PCI_rule_is_undecided_and_the_plugin_is_probed_as_before()
    {
        using var scenario = new SelectionScenario();
        scenario.Root.WithDeviceNode("acme0"); // no /sys/bus/pci: a machine or container that shows none
        scenario.AddPlugin("acme", attributes: "[HardwareMatch(PciVendor = 0x1ed5)]");

        scenario.Resolve().Selected.Should().Be("acme");
    }

    [Fact]
    public void A_plugin_that_declares_nothing_is_loaded_and_probed_even_where_the_PCI_bus_is_readable()
    {
        using var scenario = new SelectionScenario();
        scenario.Root.WithPciBus().WithDeviceNode("acme0");
        scenario.AddPlugin("acme");

        scenario.Resolve().Selected.Should().Be("acme");
    }

    [Theory]
    [InlineData("[HardwareMatch(PciVendor = 0xffff)]", "[HardwareMatch(PciVendor = 0xffff)]", "not a PCI vendor id")]
    [InlineData("[HardwareMatch(PciVendor = 0)]", "[HardwareMatch(PciVendor = 0x0000)]", "not a PCI vendor id")]
    [InlineData("[HardwareMatch(DeviceNodes = [\"\"])]", "[HardwareMatch(DeviceNodes = [\"\"])]", "is empty")]
    [InlineData("[HardwareMatch(DeviceNodes = [\"/etc/acme*\"])]", "DeviceNodes = [\"/etc/acme*\"]", "outside /dev")]
    [InlineData("[HardwareMatch(DeviceNodes = [\"../acme*\"])]", "DeviceNodes = [\"../acme*\"]", "no '..'")]
    [InlineData("[HardwareMatch(DeviceNodes = [\"*/acme0\"])]", "DeviceNodes = [\"*/acme0\"]", "only the last segment")]
    [InlineData("[HardwareMatch(DeviceNodes = [\"accel/*\"])]", "DeviceNodes = [\"accel/*\"]", "matches every node")]
    [InlineData("[HardwareMatch(KernelDrivers = [\"mt gpu\"])]", "KernelDrivers = [\"mt gpu\"]", "not a module name")]
    [InlineData("[HardwareMatch(PciDevices = [0x0400])]", "[HardwareMatch(PciDevices = [0x0400])]", "need a PciVendor")]
    [InlineData("[HardwareMatch]", "[HardwareMatch()]", "sets nothing")]
    public void A_malformed_rule_is_the_plugins_Rejected_row_quoting_the_rule_and_nothing_loads(string attribute, string quoted, string problem)
    {
        using var scenario = new SelectionScenario();
        scenario.Root.WithPciDevice(0x1ed5, 0x0400).WithDeviceNode("acme0");
        var path = scenario.AddPlugin("acme", constructorBody: Explodes, attributes: attribute);
        scenario.Options.Platform = "cpu";

        var acme = scenario.Resolve().Candidates.Single(c => c.Name == "acme");

        acme.Status.Should().Be(CandidateStatus.Rejected);
        acme.Reason.Should().Contain(quoted).And.Contain(problem).And.Contain("The vendor must fix the rule");
        LoadedAssemblyNames().Should().NotContain(Path.GetFileNameWithoutExtension(path));
    }

    [Fact]
    public void The_rules_are_read_from_metadata_as_written()
    {
        var directory = PluginCompiler.NewDirectory();
        var path = PluginCompiler.Compile(directory, SelectionScenario.UniqueAssemblyName("Vendor.Rules"), PluginCompiler.PlatformSource("acme",
            attributes: "[HardwareMatch(PciVendor = 0x1ed5, PciDevices = [0x0400], PciClasses = [0x0302], DeviceNodes = [\"mtgpu*\"], KernelDrivers = [\"mtgpu\"])]\n[HardwareMatch(DeviceNodes = [\"/dev/accel/accel*\"])]"));

        var rules = PluginAssemblyInspector.Inspect(path).Exports.Single().HardwareRules;

        rules.Select(r => r.Quote()).Should().Equal(
            "[HardwareMatch(PciVendor = 0x1ed5, PciDevices = [0x0400], PciClasses = [0x0302], DeviceNodes = [\"mtgpu*\"], KernelDrivers = [\"mtgpu\"])]",
            "[HardwareMatch(DeviceNodes = [\"/dev/accel/accel*\"])]");
    }

    [Fact]
    public void On_a_machine_with_no_accelerator_every_built_in_but_cpu_is_NotPresent_without_probing()
    {
        using var scenario = new SelectionScenario();
        scenario.Root.WithPciDevice(0x8086, 0x1234, classCode: 0x060000).WithKernelModule("e1000e").WithCpuInfo("Fake Xeon", 4).WithMemInfo(8L << 30, 6L << 30);

        var report = scenario.Resolve();

        report.Selected.Should().Be("cpu");
        foreach (var name in new[] { "cuda", "rocm", "npu", "xpu", "hpu" })
        {
            var row = report.Candidates.Single(c => c.Name == name);
            row.Status.Should().Be(CandidateStatus.NotPresent, name);
            row.Reason.Should().StartWith("no matching hardware (", name);
            row.ProbeMs.Should().BeNull(name);
        }
    }

    [Fact]
    public void A_built_ins_evidence_still_reaches_its_probe_so_a_half_installed_machine_is_Unavailable()
    {
        using var scenario = new SelectionScenario();
        scenario.Root.WithPciDevice(0x1002, 0x74a1, classCode: 0x038000).WithCpuInfo("Fake Xeon", 4).WithMemInfo(8L << 30, 6L << 30);
        scenario.Options.Platform = "rocm,cpu";

        var rocm = scenario.Resolve().Candidates.Single(c => c.Name == "rocm");

        rocm.Status.Should().Be(CandidateStatus.Unavailable);
        rocm.Reason.Should().Contain("amdgpu kernel driver is not bound");
    }

    [Fact]
    public void The_built_in_rules_table_says_what_the_attributes_say_and_every_rule_is_well_formed()
    {
        foreach (var type in BuiltInPlatforms.Types)
        {
            var declared = type.GetCustomAttributes<HardwareMatchAttribute>().Select(a => new HardwareRule(a.PciVendor == 0 ? null : a.PciVendor)
            {
                PciDevices = a.PciDevices, PciClasses = a.PciClasses, DeviceNodes = a.DeviceNodes, KernelDrivers = a.KernelDrivers,
            }.Quote());
            BuiltInPlatforms.HardwareRulesOf(type).Select(r => r.Quote()).Should().Equal(declared, type.Name);
            BuiltInPlatforms.HardwareRulesOf(type).Select(r => r.Problem()).Should().AllBeEquivalentTo((string?)null, type.Name);
        }
    }

    private static string[] LoadedAssemblyNames() =>
        AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name!).ToArray();
}
