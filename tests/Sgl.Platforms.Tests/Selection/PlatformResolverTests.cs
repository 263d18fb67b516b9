using Sgl.Platforms.Selection;
using Sgl.Platforms.Tests.Support;

namespace Sgl.Platforms.Tests.Selection;

public sealed class PlatformResolverTests
{
    private static CandidateReport Candidate(SelectionReport report, string name) => report.Candidates.Single(c => c.Name == name);

    [Fact]
    public void On_a_machine_without_accelerators_cpu_is_selected_and_every_other_built_in_says_why_not()
    {
        using var scenario = new SelectionScenario();
        scenario.Root.WithCpuInfo("Test CPU", 4).WithMemInfo(8L << 30, 6L << 30);

        var report = scenario.Resolve();

        report.Error.Should().BeNull();
        report.Selected.Should().Be("cpu");
        report.Platform!.IsCpu.Should().BeTrue();
        report.Candidates.Select(c => c.Name).Should().Equal("cuda", "rocm", "npu", "xpu", "hpu", "cpu");
        foreach (var accelerator in report.Candidates.Where(c => c.Name != "cpu"))
        {
            accelerator.Status.Should().Be(CandidateStatus.NotPresent, accelerator.Name);
            accelerator.Reason.Should().NotBeNullOrWhiteSpace(accelerator.Name);
            accelerator.Source.Should().Be(CandidateSource.BuiltIn);
        }
    }

    [Fact]
    public void A_vendor_plugin_on_its_hardware_wins_over_the_built_ins()
    {
        using var scenario = new SelectionScenario();
        scenario.Root.WithDeviceNode("acme0");
        scenario.AddPlugin("acme");

        var report = scenario.Resolve();

        report.Selected.Should().Be("acme");
        var acme = Candidate(report, "acme");
        acme.Source.Should().Be(CandidateSource.DevPath);
        acme.Priority.Should().Be(200);
        acme.Devices.Should().ContainSingle().Which.Name.Should().Be("acme device");
        acme.ProbeMs.Should().NotBeNull();
    }

    [Fact]
    public void A_vendor_plugin_without_its_hardware_leaves_cpu_selected()
    {
        using var scenario = new SelectionScenario();
        scenario.AddPlugin("acme");

        var report = scenario.Resolve();

        report.Selected.Should().Be("cpu");
        Candidate(report, "acme").Status.Should().Be(CandidateStatus.NotPresent);
        Candidate(report, "acme").Reason.Should().Contain("/dev/acme");
    }

    [Fact]
    public void Two_vendors_tied_at_the_top_is_an_error_naming_both_and_the_setting_that_settles_it()
    {
        using var scenario = new SelectionScenario();
        scenario.Root.WithDeviceNode("acme0").WithDeviceNode("zeta0");
        scenario.AddPlugin("acme");
        scenario.AddPlugin("zeta");

        var report = scenario.Resolve();

        report.Selected.Should().BeNull();
        report.Error!.Message.Should().Contain("'acme'").And.Contain("'zeta'").And.Contain("SGL_PLATFORM=acme");
    }

    [Fact]
    public void A_higher_priority_breaks_what_would_be_a_tie()
    {
        using var scenario = new SelectionScenario();
        scenario.Root.WithDeviceNode("acme0").WithDeviceNode("zeta0");
        scenario.AddPlugin("acme", priority: 250);
        scenario.AddPlugin("zeta");

        scenario.Resolve().Selected.Should().Be("acme");
    }

    [Fact]
    public void Sgl_platform_with_one_name_forces_it_and_excludes_the_rest()
    {
        using var scenario = new SelectionScenario();
        scenario.Root.WithDeviceNode("acme0");
        scenario.AddPlugin("acme");
        scenario.Options.Platform = "cpu";

        var report = scenario.Resolve();

        report.Selected.Should().Be("cpu");
        Candidate(report, "acme").Status.Should().Be(CandidateStatus.Excluded);
        Candidate(report, "cuda").Status.Should().Be(CandidateStatus.Excluded);
        Candidate(report, "cuda").ProbeMs.Should().BeNull("excluded platforms are not probed");
    }

    [Fact]
    public void A_forced_platform_that_is_not_available_is_an_error_with_its_reason()
    {
        using var scenario = new SelectionScenario();
        scenario.AddPlugin("acme");
        scenario.Options.Platform = "acme";

        var report = scenario.Resolve();

        report.Selected.Should().BeNull();
        report.Error!.Message.Should().Contain("SGL_PLATFORM=acme").And.Contain("NotPresent").And.Contain("/dev/acme");
    }

    [Fact]
    public void Sgl_platform_as_a_list_is_a_preference_order()
    {
        using var scenario = new SelectionScenario();
        scenario.Root.WithDeviceNode("zeta0");
        scenario.AddPlugin("acme");
        scenario.AddPlugin("zeta", priority: 150);
        scenario.Options.Platform = "acme, cpu, zeta";

        var report = scenario.Resolve();

        report.Selected.Should().Be("cpu", "acme is not present and cpu comes before zeta in the list");
        Candidate(report, "cuda").Status.Should().Be(CandidateStatus.Excluded);
    }

    [Fact]
    public void An_unknown_name_in_sgl_platform_lists_the_known_names()
    {
        using var scenario = new SelectionScenario();
        scenario.AddPlugin("acme");
        scenario.Options.Platform = "musa";

        var report = scenario.Resolve();

        report.Error.Should().BeOfType<PlatformConfigurationException>();
        report.Error!.Message.Should().Contain("SGL_PLATFORM").And.Contain("'musa'").And.Contain("acme, cpu, cuda, hpu, npu, rocm, xpu");
    }

    [Fact]
    public void The_plugin_allowlist_excludes_other_plugins_without_loading_them_but_never_the_built_ins()
    {
        using var scenario = new SelectionScenario();
        scenario.Root.WithDeviceNode("acme0");
        var acme = scenario.AddPlugin("acme");
        scenario.AddPlugin("zeta");
        scenario.Options.Plugins = "zeta";

        var report = scenario.Resolve();

        Candidate(report, "acme").Status.Should().Be(CandidateStatus.Excluded);
        Candidate(report, "acme").Reason.Should().Contain("SGL_PLATFORM_PLUGINS");
        Candidate(report, "zeta").Status.Should().Be(CandidateStatus.NotPresent);
        Candidate(report, "cpu").Status.Should().Be(CandidateStatus.Available);
        report.Selected.Should().Be("cpu");
        LoadedAssemblyNames().Should().NotContain(Path.GetFileNameWithoutExtension(acme));
    }

    [Fact]
    public void A_forced_platform_loads_no_excluded_plugin_assembly()
    {
        using var scenario = new SelectionScenario();
        scenario.Root.WithDeviceNode("acme0");
        var acme = scenario.AddPlugin("acme");
        var zeta = scenario.AddPlugin("zeta");
        scenario.Options.Platform = "cpu";

        scenario.Resolve().Selected.Should().Be("cpu");

        LoadedAssemblyNames().Should().NotContain([Path.GetFileNameWithoutExtension(acme), Path.GetFileNameWithoutExtension(zeta)]);
    }

    [Fact]
    public void A_probe_that_throws_is_recorded_and_blocks_a_silent_cpu_fallback()
    {
        using var scenario = new SelectionScenario();
        scenario.AddPlugin("acme", probeBody: "throw new System.InvalidOperationException(\"driver exploded\");");

        var report = scenario.Resolve();

        Candidate(report, "acme").Status.Should().Be(CandidateStatus.Failed);
        Candidate(report, "acme").Reason.Should().Contain("InvalidOperationException").And.Contain("driver exploded");
        report.Selected.Should().BeNull();
        report.Error!.Message.Should().Contain("Only the CPU fallback").And.Contain("acme").And.Contain("SGL_PLATFORM=cpu");
    }

    [Fact]
    public void An_accelerator_that_is_present_but_unavailable_blocks_the_cpu_fallback_unless_cpu_is_asked_for()
    {
        using var scenario = new SelectionScenario();
        scenario.AddPlugin("acme", probeBody: "return ProbeResult.Unavailable(\"Found an Acme card at 0000:3b:00.0, but its management library is too old\", [new DeviceInfo(0, \"Acme X1\")]);");

        var report = scenario.Resolve();

        Candidate(report, "acme").Status.Should().Be(CandidateStatus.Unavailable);
        report.Selected.Should().BeNull("running a GPU job on CPU by accident is refused");
        report.Error!.Message.Should().Contain("Only the CPU fallback").And.Contain("'acme' is Unavailable (Found an Acme card at 0000:3b:00.0")
            .And.Contain("SGL_PLATFORM=cpu");

        scenario.Options.Platform = "cpu";
        scenario.Resolve().Selected.Should().Be("cpu");
    }

    [Fact]
    public void Asking_for_cpu_explicitly_accepts_the_fallback_when_a_plugin_failed()
    {
        using var scenario = new SelectionScenario();
        scenario.AddPlugin("acme", probeBody: "throw new System.InvalidOperationException(\"driver exploded\");");
        scenario.Options.Platform = "acme,cpu";

        var report = scenario.Resolve();

        report.Selected.Should().Be("cpu");
        Candidate(report, "acme").Status.Should().Be(CandidateStatus.Failed);
    }

    [Fact]
    public void A_failed_plugin_does_not_stop_another_available_accelerator_from_winning()
    {
        using var scenario = new SelectionScenario();
        scenario.Root.WithDeviceNode("zeta0");
        scenario.AddPlugin("acme", probeBody: "throw new System.InvalidOperationException(\"driver exploded\");");
        scenario.AddPlugin("zeta");

        scenario.Resolve().Selected.Should().Be("zeta");
    }

    [Fact]
    public void A_hanging_probe_times_out_while_the_others_proceed()
    {
        using var scenario = new SelectionScenario();
        scenario.Root.WithDeviceNode("zeta0");
        scenario.AddPlugin("acme", probeBody: "System.Threading.Thread.Sleep(30_000); return ProbeResult.NotPresent(\"late\");");
        scenario.AddPlugin("zeta");
        // One deadline covers every probe, the quick one's JIT and load included: 1500 ms was too short for zeta on
        // a 2-core machine under a load of 15, which made this test fail now and then.
        scenario.Options.ProbeTimeoutMs = "4000";

        var report = scenario.Resolve();

        Candidate(report, "acme").Status.Should().Be(CandidateStatus.TimedOut);
        Candidate(report, "acme").Reason.Should().Contain("4000 ms").And.Contain("SGL_PROBE_TIMEOUT_MS");
        report.Selected.Should().Be("zeta");
    }

    [Fact]
    public void A_probe_returning_null_is_a_failure_with_a_message_for_the_vendor()
    {
        using var scenario = new SelectionScenario();
        scenario.AddPlugin("acme", probeBody: "return null!;");
        scenario.Options.Platform = "acme,cpu";

        var report = scenario.Resolve();

        Candidate(report, "acme").Status.Should().Be(CandidateStatus.Failed);
        Candidate(report, "acme").Reason.Should().Contain("returned null");
    }

    [Fact]
    public void A_constructor_that_throws_is_recorded_as_failed()
    {
        using var scenario = new SelectionScenario();
        scenario.AddPlugin("acme", constructorBody: "throw new System.NotSupportedException(\"bad ctor\");");
        scenario.Options.Platform = "acme,cpu";

        var report = scenario.Resolve();

        Candidate(report, "acme").Status.Should().Be(CandidateStatus.Failed);
        Candidate(report, "acme").Reason.Should().Contain("Constructing 'acme'").And.Contain("bad ctor");
    }

    [Fact]
    public void A_plugin_whose_dependency_is_missing_fails_with_the_dependency_named()
    {
        using var scenario = new SelectionScenario();
        var dependencyDir = PluginCompiler.NewDirectory();
        var dependency = PluginCompiler.Compile(dependencyDir, "Vendor.Native.Interop", "namespace Vendor.Native; public static class Driver { public static int Open() => 1; }");
        scenario.AddPlugin("acme", constructorBody: "Vendor.Native.Driver.Open();", extraReferences: [dependency]);
        scenario.Options.Platform = "acme,cpu";

        var report = scenario.Resolve();

        Candidate(report, "acme").Status.Should().Be(CandidateStatus.Failed);
        Candidate(report, "acme").Reason.Should().Contain("Vendor.Native.Interop");
    }

    [Fact]
    public void A_file_that_is_not_an_assembly_is_recorded_and_the_rest_proceed()
    {
        using var scenario = new SelectionScenario();
        var bogus = Path.Combine(scenario.PluginDirectory, "Vendor.Broken.dll");
        File.WriteAllBytes(bogus, [0x4d, 0x5a, 1, 2, 3, 4, 5]);
        scenario.PluginPaths.Add(bogus);
        scenario.Options.Platform = "cpu";

        var report = scenario.Resolve();

        Candidate(report, "Vendor.Broken").Status.Should().Be(CandidateStatus.Failed);
        Candidate(report, "Vendor.Broken").Reason.Should().Contain("could not be read as a .NET assembly");
        report.Selected.Should().Be("cpu");
    }

    [Fact]
    public void A_missing_development_path_is_reported_with_the_variable_name()
    {
        using var scenario = new SelectionScenario();
        scenario.PluginPaths.Add("/nowhere/Vendor.Gone.dll");
        scenario.Options.Platform = "cpu";

        var report = scenario.Resolve();

        Candidate(report, "Vendor.Gone").Reason.Should().Contain("SGL_PLATFORM_PLUGIN_PATH").And.Contain("does not exist");
    }

    [Theory]
    [InlineData("cuda", "Oot", "reserved")]
    [InlineData("Acme", "Oot", "not a lowercase id")]
    [InlineData("acme", "Cuda", "Kind = PlatformEnum.Oot")]
    public void Vendor_metadata_that_breaks_the_rules_is_rejected_before_loading(string name, string kind, string expected)
    {
        using var scenario = new SelectionScenario();
        var path = scenario.AddPlugin(name, kind: kind);
        scenario.Options.Platform = "cpu";

        var report = scenario.Resolve();

        var rejected = report.Candidates.Single(c => c.Source == CandidateSource.DevPath);
        rejected.Status.Should().Be(CandidateStatus.Rejected);
        rejected.Reason.Should().Contain(expected);
        LoadedAssemblyNames().Should().NotContain(Path.GetFileNameWithoutExtension(path));
    }

    [Fact]
    public void Two_plugins_exporting_the_same_name_are_both_rejected_naming_both_assemblies()
    {
        using var scenario = new SelectionScenario();
        var first = scenario.AddPlugin("acme");
        var second = scenario.AddPlugin("acme");
        scenario.Options.Platform = "cpu";

        var report = scenario.Resolve();

        var both = report.Candidates.Where(c => c.Name == "acme").ToList();
        both.Should().HaveCount(2).And.OnlyContain(c => c.Status == CandidateStatus.Rejected);
        both[0].Reason.Should().Contain(first).And.Contain(second);
    }

    [Fact]
    public void A_platform_type_without_an_export_is_reported_to_the_vendor()
    {
        using var scenario = new SelectionScenario();
        scenario.AddPlugin("acme", export: false);
        scenario.Options.Platform = "cpu";

        var report = scenario.Resolve();

        var row = report.Candidates.Single(c => c.Source == CandidateSource.DevPath);
        row.Status.Should().Be(CandidateStatus.Rejected);
        row.Reason.Should().Contain("[Export(typeof(Platform))]");
    }

    [Fact]
    public void A_plugin_built_against_another_contract_major_is_rejected_with_both_versions_and_never_loaded()
    {
        using var scenario = new SelectionScenario();
        var contractDir = PluginCompiler.NewDirectory();
        var futureContract = Path.Combine(contractDir, "Sgl.Platforms.Abstractions.dll");
        File.WriteAllBytes(futureContract, PluginCompiler.FutureContractImage);
        var path = scenario.AddPlugin("acme", contract: futureContract);
        scenario.Options.Platform = "cpu";

        var report = scenario.Resolve();

        var acme = Candidate(report, "acme");
        acme.Status.Should().Be(CandidateStatus.Rejected);
        acme.Reason.Should().Contain("2.0.0.0").And.Contain("1.1.0.0").And.Contain("contract 1.x");
        LoadedAssemblyNames().Should().NotContain(Path.GetFileNameWithoutExtension(path));
    }

    [Fact]
    public void Garbage_settings_are_errors_that_name_the_variable()
    {
        using var scenario = new SelectionScenario();
        scenario.Options.ProbeTimeoutMs = "soon";
        scenario.Resolve().Error!.Message.Should().StartWith("SGL_PROBE_TIMEOUT_MS");

        scenario.Options.ProbeTimeoutMs = "100";
        scenario.Options.SystemRoot = "/definitely/not/here";
        scenario.Resolve().Error!.Message.Should().StartWith("SGL_SYSTEM_ROOT").And.Contain("/definitely/not/here");

        scenario.Options.SystemRoot = null;
        scenario.Options.Platform = "CUDA!";
        scenario.Resolve().Error!.Message.Should().StartWith("SGL_PLATFORM").And.Contain("not a platform name");
    }

    private static string[] LoadedAssemblyNames() =>
        AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name!).ToArray();
}
