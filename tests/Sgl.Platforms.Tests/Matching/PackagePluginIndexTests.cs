using Sgl.Platforms.Discovery;
using Sgl.Platforms.Selection;
using Sgl.Platforms.Tests.Support;

namespace Sgl.Platforms.Tests.Matching;

/// <summary>
/// A package plugin's build-time index (<c>[assembly: PlatformPlugin("…", Index = "…")]</c>): absent hardware is
/// reported from it without opening the plugin; an index that is wrong or broken never loses the plugin.
/// </summary>
public sealed class PackagePluginIndexTests : IDisposable
{
    private const string Explodes = "throw new System.InvalidOperationException(\"plugin code ran\");";
    private const string MusaLikeRules = """[{"pciVendor":"0x1ed5","pciClasses":["0x03","0x12"]},{"deviceNodes":["acme*"]}]""";

    private readonly Sgl.Platforms.Testing.FakeSystemRoot _root = new();
    private readonly string _application = PluginCompiler.NewDirectory();

    [Fact]
    public void A_package_plugin_whose_index_says_its_hardware_is_absent_is_NotPresent_and_its_assembly_is_never_opened()
    {
        _root.WithPciDevice(0x10de, 0x2330, driver: "nvidia");
        // Not an assembly: opening or reading it would make the row Failed ("could not be read as a .NET assembly").
        var name = SelectionScenario.UniqueAssemblyName("Vendor.Acme");
        File.WriteAllText(Path.Combine(_application, name + ".dll"), "not an assembly");

        var report = Resolve(name, Index("acme", name, MusaLikeRules), platform: "acme,cpu");

        var acme = report.Candidates.Should().ContainSingle(c => c.Name == "acme").Which;
        acme.Status.Should().Be(CandidateStatus.NotPresent);
        acme.Source.Should().Be(CandidateSource.Package);
        acme.Reason.Should().StartWith("no matching hardware (PCI 1ed5 class 0x03|0x12; or /dev/acme*)")
            .And.Contain($"from the application's build-time index of {name}; the assembly was not opened");
        acme.ProbeMs.Should().BeNull();
        report.Candidates.Should().NotContain(c => c.Status == CandidateStatus.Failed);
        report.Selected.Should().Be("cpu");
    }

    [Fact]
    public void A_real_plugin_behind_an_index_that_says_absent_is_not_loaded_and_runs_no_code()
    {
        _root.WithPciBus();
        // The assembly declares no rule: only the index can keep it unloaded (the build-time index is trusted, as the lock file's is).
        var path = AddPlugin("acme", constructorBody: Explodes);
        var name = Path.GetFileNameWithoutExtension(path);

        var report = Resolve(name, Index("acme", name, MusaLikeRules), platform: "acme,cpu");

        report.Candidates.Single(c => c.Name == "acme").Status.Should().Be(CandidateStatus.NotPresent);
        AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name).Should().NotContain(name);
    }

    [Fact]
    public void A_package_plugin_whose_index_matches_the_machine_is_loaded_and_probed_and_an_agreeing_index_adds_nothing()
    {
        _root.WithPciDevice(0x1ed5, 0x0400, classCode: 0x030200).WithDeviceNode("acme0");
        var path = AddPlugin("acme", attributes: "[HardwareMatch(PciVendor = 0x1ed5, PciClasses = [0x03, 0x12])]\n[HardwareMatch(DeviceNodes = [\"acme*\"])]");
        var name = Path.GetFileNameWithoutExtension(path);

        var report = Resolve(name, IndexOf(path));

        report.Selected.Should().Be("acme");
        var acme = report.Candidates.Single(c => c.Name == "acme");
        acme.ProbeMs.Should().NotBeNull();
        acme.Reason.Should().NotContain("index");
    }

    [Fact]
    public void When_the_index_disagrees_with_the_opened_assembly_the_assembly_wins_and_the_row_says_where()
    {
        _root.WithPciDevice(0x1ed5, 0x0400, classCode: 0x030200).WithDeviceNode("acme0");
        var path = AddPlugin("acme", priority: 250, attributes: "[HardwareMatch(PciVendor = 0x1ed5)]");
        var name = Path.GetFileNameWithoutExtension(path);
        var index = $$"""[{"name":"acme","kind":"Oot","priority":100,"contract":"{{ContractOf(path)}}","assembly":"{{name}}.dll","match":[{"pciVendor":"0x1ed5","deviceNodes":["acme*"]}]},"""
            + $$"""{"name":"ghost","kind":"Oot","priority":200,"assembly":"{{name}}.dll","match":[]}]""";

        var report = Resolve(name, index);

        report.Selected.Should().Be("acme");
        var acme = report.Candidates.Single(c => c.Name == "acme");
        acme.Priority.Should().Be(250, "the assembly's metadata wins");
        acme.Reason.Should().Contain($"The build-time index of {name} in the application disagrees with the assembly")
            .And.Contain("priority 100 in the index, 250 in the assembly")
            .And.Contain("hardware rules [HardwareMatch(PciVendor = 0x1ed5, DeviceNodes = [\"acme*\"])] in the index, [HardwareMatch(PciVendor = 0x1ed5)] in the assembly")
            .And.Contain("the index lists platform 'ghost', which the assembly does not export")
            .And.Contain("the assembly's metadata was used");
    }

    [Theory]
    [InlineData("[{\"name\":\"acme\"", "is not a valid index")]
    [InlineData("{\"name\":\"acme\"}", "is not a valid index")]
    [InlineData("null", "null instead of a list")]
    [InlineData("[{\"name\":\"acme\",\"kind\":\"Oot\",\"priority\":200,\"assembly\":\"ASSEMBLY\",\"match\":[{\"pciVendor\":\"0xffff\"}]}]", "[HardwareMatch(PciVendor = 0xffff)], which is malformed")]
    [InlineData("[{\"name\":\"acme\",\"kind\":\"Oot\",\"priority\":200,\"assembly\":\"ASSEMBLY\",\"match\":[{\"pciVendor\":\"1ed5\"}]}]", "hex string such as \"0x1ed5\"")]
    [InlineData("[{\"name\":\"acme\",\"kind\":\"Oot\",\"priority\":200,\"assembly\":\"ASSEMBLY\",\"match\":[{\"deviceNodes\":[\"\"]}]}]", "is empty")]
    [InlineData("[{\"name\":\"Acme!\",\"kind\":\"Oot\",\"priority\":200,\"assembly\":\"ASSEMBLY\",\"match\":[]}]", "'Acme!' is not a platform name")]
    [InlineData("[{\"name\":\"acme\",\"kind\":\"Gpu\",\"priority\":200,\"assembly\":\"ASSEMBLY\",\"match\":[]}]", "kind 'Gpu'")]
    [InlineData("[{\"name\":\"acme\",\"kind\":\"Oot\",\"priority\":200,\"assembly\":\"Other.dll\",\"match\":[]}]", "names assembly 'Other.dll'")]
    [InlineData("[{\"name\":\"acme\",\"kind\":\"Oot\",\"priority\":200,\"assembly\":\"ASSEMBLY\",\"match\":[],\"mach\":[]}]", "unknown property \"mach\"")]
    [InlineData("[{\"name\":\"acme\",\"kind\":\"Oot\",\"priority\":200,\"assembly\":\"ASSEMBLY\"}]", "no \"match\" list")]
    [InlineData("[{\"name\":\"acme\",\"name\":\"zeta\",\"kind\":\"Oot\",\"priority\":200,\"assembly\":\"ASSEMBLY\",\"match\":[]}]", "\"name\" is written twice")]
    [InlineData("[] []", "Expected end of data")]
    public void A_malformed_index_falls_back_to_reading_the_assembly_and_the_row_says_what_was_wrong(string index, string problem)
    {
        // The machine has no Acme hardware, so a usable index saying so would have kept the plugin unopened.
        _root.WithPciBus().WithDeviceNode("acme0");
        var path = AddPlugin("acme");
        var name = Path.GetFileNameWithoutExtension(path);

        var report = Resolve(name, index.Replace("ASSEMBLY", name + ".dll", StringComparison.Ordinal));

        report.Selected.Should().Be("acme", "a broken index never loses the plugin");
        report.Candidates.Single(c => c.Name == "acme").Reason.Should()
            .Contain($"The build-time index of {name} in the application is malformed (")
            .And.Contain(problem)
            .And.Contain("the assembly was read instead");
    }

    [Fact]
    public void An_index_with_a_platform_that_declares_no_rule_decides_nothing_and_the_plugin_is_probed()
    {
        _root.WithPciBus().WithDeviceNode("acme0");
        var path = AddPlugin("acme");
        var name = Path.GetFileNameWithoutExtension(path);

        var report = Resolve(name, IndexOf(path));

        report.Selected.Should().Be("acme");
    }

    [Fact]
    public void The_index_is_read_from_another_applications_manifest_with_the_plugin_names()
    {
        var index = Index("acme", "Vendor.Acme", MusaLikeRules);
        var app = PluginCompiler.Compile(_application, "Contoso.App",
            $"[assembly: Sgl.Platforms.PlatformPlugin(\"Vendor.Acme\", Index = {SymbolDisplay(index)})]\n[assembly: Sgl.Platforms.PlatformPlugin(\"Vendor.Other\")]\nnamespace Contoso {{ public static class Program {{ }} }}");

        var manifest = ApplicationManifest.OfApplication(app);

        manifest.PluginAssemblyNames.Should().Equal("Vendor.Acme", "Vendor.Other");
        manifest.Indexes.Should().Equal(new Dictionary<string, string> { ["Vendor.Acme"] = index });
    }

    [Fact]
    public void Lock_style_numeric_ids_and_hex_strings_read_the_same()
    {
        var hex = PackagePluginIndex.Parse("Vendor.Acme", Index("acme", "Vendor.Acme", MusaLikeRules));
        var numeric = PackagePluginIndex.Parse("Vendor.Acme", Index("acme", "Vendor.Acme", """[{"pciVendor":7893,"pciClasses":[3,18]},{"deviceNodes":["acme*"]}]"""));

        hex.Problem.Should().BeNull();
        numeric.Problem.Should().BeNull();
        hex.Entries!.Single().Match.Select(r => r.ToRule().Quote()).Should().Equal(numeric.Entries!.Single().Match.Select(r => r.ToRule().Quote()))
            .And.Equal("[HardwareMatch(PciVendor = 0x1ed5, PciClasses = [0x03, 0x12])]", "[HardwareMatch(DeviceNodes = [\"acme*\"])]");
    }

    [Fact]
    public void The_index_the_kit_prints_reads_back_to_the_same_entries()
    {
        var written = Index("acme", "Vendor.Acme", """[{"pciVendor":"0x1ed5","pciDevices":["0x0400"],"pciClasses":["0x03","0x0302"],"deviceNodes":["acme*","accel/card+*"],"kernelDrivers":["acme_drv"]}]""");

        var parsed = PackagePluginIndex.Parse("Vendor.Acme", written);

        parsed.Problem.Should().BeNull();
        PackagePluginIndex.Format(parsed.Entries!).Should().Be(written);
        var sparse = Index("acme", "Vendor.Acme", MusaLikeRules); // lists left out read as null, and are left out again
        PackagePluginIndex.Format(PackagePluginIndex.Parse("Vendor.Acme", sparse).Entries!).Should().Be(sparse);
    }

    public void Dispose()
    {
        _root.Dispose();
        try
        {
            Directory.Delete(_application, recursive: true);
        }
        catch (IOException)
        {
            // A loaded plugin may hold its file open; the temp directory is cleaned by the OS.
        }
    }

    private string AddPlugin(string platform, int priority = 200, string? constructorBody = null, string? attributes = null) =>
        PluginCompiler.Compile(_application, SelectionScenario.UniqueAssemblyName("Vendor." + char.ToUpperInvariant(platform[0]) + platform[1..]),
            PluginCompiler.PlatformSource(platform, priority, constructorBody: constructorBody, attributes: attributes));

    private SelectionReport Resolve(string assemblyName, string index, string? platform = null)
    {
        var options = new PlatformOptions { SystemRoot = _root.Root, ProbeTimeoutMs = "3000", Platform = platform };
        var application = new ApplicationManifest([assemblyName], _application, IsOtherApplication: true)
        {
            Indexes = new Dictionary<string, string> { [assemblyName] = index },
        };
        return new PlatformResolver(options, logger: null, application).Resolve();
    }

    private static string Index(string platform, string assemblyName, string rules) =>
        $$"""[{"name":"{{platform}}","kind":"Oot","priority":200,"contract":"1.1.0.0","assembly":"{{assemblyName}}.dll","match":{{rules}}}]""";

    /// <summary>The index the conformance kit would print for the assembly: what it declares, exactly.</summary>
    private static string IndexOf(string path) =>
        PackagePluginIndex.Format(PlatformIndex.Entries(Path.GetFileName(path), PluginAssemblyInspector.Inspect(path)));

    private static string? ContractOf(string path) => PluginAssemblyInspector.Inspect(path).ContractVersion?.ToString();

    private static string SymbolDisplay(string text) => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(text, quote: true);
}
