namespace Sgl.Platforms.Testing.Tests;

/// <summary>
/// The suite passes a conforming plugin and fails each broken one on exactly the check that names the
/// problem, with a message that tells the vendor what to fix.
/// </summary>
public sealed class ConformanceSuiteTests
{
    private const int CheckCount = 18;

    [Fact]
    public void A_conforming_plugin_passes_every_check()
    {
        var run = SuiteRun.Of(new VendorPlugin());

        run.Failures.Should().HaveCount(CheckCount);
        run.Failures.Where(f => f.Value is not null).Should().BeEmpty();
        run.Skips.Should().BeEmpty();
    }

    [Fact]
    public void A_package_manifest_whose_index_differs_from_the_assembly_fails_with_the_item_to_write()
    {
        var run = SuiteRun.Of(new VendorPlugin
        {
            Attributes = """
                [Export(typeof(Platform))]
                [PlatformMetadata("{name}", Kind = PlatformEnum.Oot, Priority = 200, Vendor = "Acme")]
                [HardwareMatch(PciVendor = 0x1e0f)]
                """,
            Manifest = index => $"<Project><ItemGroup><SglPlatformPlugin Include=\"{{assembly}}\" Index='{index.Replace("0x1e0f", "0x1e0e", StringComparison.Ordinal)}' /></ItemGroup></Project>",
        });

        run.Failed.Should().Equal("Package_manifest_carries_the_index_the_assembly_declares");
        run.Failures["Package_manifest_carries_the_index_the_assembly_declares"].Should()
            .Contain("does not say what").And.Contain("\"pciVendor\":\"0x1e0e\"").And.Contain("the assembly declares [{\"name\":\"acme\"")
            .And.Contain("\"match\":[{\"pciVendor\":\"0x1e0f\"}]").And.Contain("<Index>");
    }

    [Fact]
    public void A_package_manifest_without_an_index_fails_with_the_index_to_paste()
    {
        var run = SuiteRun.Of(new VendorPlugin { Manifest = _ => "<Project><ItemGroup><SglPlatformPlugin Include=\"{assembly}\" /></ItemGroup></Project>" });

        run.Failed.Should().Equal("Package_manifest_carries_the_index_the_assembly_declares");
        run.Failures["Package_manifest_carries_the_index_the_assembly_declares"].Should().Contain("carries no index").And.Contain("<Index>[{\"name\":\"acme\",\"kind\":\"Oot\",\"priority\":200");
    }

    [Fact]
    public void A_probe_that_throws_on_an_empty_machine_fails_with_the_hosts_reason()
    {
        var run = SuiteRun.Of(new VendorPlugin
        {
            Probe = """context.System.FindPciDevices(0x1e0f).Count > 0 ? ProbeResult.Available([new DeviceInfo(0, "a")]) : throw new InvalidOperationException("no acme device to talk to")""",
        });

        run.Failed.Should().Equal("Probe_on_an_empty_machine_is_not_present");
        run.Failures["Probe_on_an_empty_machine_is_not_present"].Should()
            .Contain("as Failed: Probing 'acme' threw InvalidOperationException: no acme device to talk to")
            .And.Contain("must return ProbeResult.NotPresent");
    }

    [Fact]
    public void A_probe_that_hangs_fails_as_timed_out()
    {
        var run = SuiteRun.Of(new VendorPlugin
        {
            Probe = """context.System.FindDeviceNodes("acme*").Count > 0 ? ProbeResult.Available([new DeviceInfo(0, "a")]) : Stall.Forever()""",
            Extra = """public static class Stall { public static ProbeResult Forever() { Thread.Sleep(6000); return ProbeResult.NotPresent("late"); } }""",
            SuiteOverrides = "protected override TimeSpan ProbeTimeout => TimeSpan.FromMilliseconds(1500);",
        });

        run.Failed.Should().Equal("Probe_on_an_empty_machine_is_not_present");
        run.Failures["Probe_on_an_empty_machine_is_not_present"].Should().Contain("as TimedOut: The probe did not finish within 1500 ms");
    }

    [Fact]
    public void A_probe_that_misses_the_vendors_own_device_fails_the_available_check()
    {
        var run = SuiteRun.Of(new VendorPlugin { ConfigureDevice = """root.WithDeviceNode("other0");""" });

        run.Failed.Should().Equal("Probe_on_the_vendors_device_is_available");
        run.Failures["Probe_on_the_vendors_device_is_available"].Should()
            .Contain("as NotPresent: no PCI device of vendor 0x1e0f")
            .And.Contain("ConfigureDevice does not describe the hardware the probe looks for");
    }

    [Theory]
    [InlineData("cuda", "is reserved for the built-in platform")]
    [InlineData("Acme", "is not a lowercase id")]
    [InlineData("9acme", "is not a lowercase id")]
    public void A_bad_platform_name_fails_the_name_and_admission_checks_in_the_hosts_words(string name, string expected)
    {
        var run = SuiteRun.Of(new VendorPlugin { Name = name });

        run.Failed.Should().BeEquivalentTo("Metadata_name_is_a_lowercase_id_that_is_not_reserved", "Is_admitted_by_the_host");
        run.Failures["Metadata_name_is_a_lowercase_id_that_is_not_reserved"].Should().Contain($"Platform name '{name}'").And.Contain(expected);
        run.Failures["Is_admitted_by_the_host"].Should().Contain(expected);
    }

    [Fact]
    public void A_built_in_kind_fails_the_kind_and_admission_checks()
    {
        var run = SuiteRun.Of(new VendorPlugin
        {
            Attributes = """
                [Export(typeof(Platform))]
                [PlatformMetadata("{name}", Kind = PlatformEnum.Cuda)]
                """,
        });

        run.Failed.Should().BeEquivalentTo("Kind_is_out_of_tree_and_identity_matches_the_metadata", "Is_admitted_by_the_host");
        run.Failures["Kind_is_out_of_tree_and_identity_matches_the_metadata"].Should()
            .Contain("declares Kind = PlatformEnum.Cuda; vendor platforms must declare Kind = PlatformEnum.Oot");
    }

    [Fact]
    public void A_second_export_under_the_same_name_fails_the_export_and_admission_checks()
    {
        var run = SuiteRun.Of(new VendorPlugin
        {
            Extra = """
                [Export(typeof(Platform))]
                [PlatformMetadata("acme")]
                public sealed class AcmeTwo : Platform
                {
                    protected override ProbeResult ProbeCore(ProbeContext context) => ProbeResult.NotPresent("none");
                }
                """,
        });

        run.Failed.Should().BeEquivalentTo("Is_exported_exactly_once_when_its_assembly_is_composed_alone", "Is_admitted_by_the_host");
        run.Failures["Is_exported_exactly_once_when_its_assembly_is_composed_alone"].Should().Contain("yields 2 Platform exports named 'acme'");
        run.Failures["Is_admitted_by_the_host"].Should().Contain("Platform name 'acme' is exported by");
    }

    [Fact]
    public void A_platform_without_its_export_fails_every_check_that_builds_it_with_what_to_add()
    {
        var run = SuiteRun.Of(new VendorPlugin { Attributes = """[PlatformMetadata("{name}")]""" });

        run.Failures["Is_exported_exactly_once_when_its_assembly_is_composed_alone"].Should().Contain("carries 0 [Export(typeof(Platform))] attributes");
        run.Failures["Is_admitted_by_the_host"].Should().Contain("derives from Platform but is not exported");
        run.Failures["Constructor_is_cheap_and_does_not_probe"].Should().Contain("put [Export(typeof(Platform))] on");
    }

    [Fact]
    public void Defaults_that_override_a_user_set_value_fail_and_name_the_property()
    {
        var run = SuiteRun.Of(new VendorPlugin { ServerDefaults = """args.AttentionBackend = "acme_attn";""" });

        run.Failed.Should().Equal("Server_args_defaults_never_override_a_user_set_value");
        run.Failures["Server_args_defaults_never_override_a_user_set_value"].Should()
            .Contain("changed the user-set ServerArgs.AttentionBackend from 'user-set' to 'acme_attn'");
    }

    [Fact]
    public void Defaults_that_change_on_every_call_fail_the_idempotence_check()
    {
        var run = SuiteRun.Of(new VendorPlugin { ServerDefaults = """args.ChunkedPrefillSize = (args.ChunkedPrefillSize ?? 1024) / 2;""" });

        run.Failed.Should().BeEquivalentTo("Server_args_defaults_are_idempotent", "Server_args_defaults_never_override_a_user_set_value");
        run.Failures["Server_args_defaults_are_idempotent"].Should().Contain("ServerArgs.ChunkedPrefillSize is 512 after ApplyServerArgsDefaults and 256 after applying it again");
    }

    [Theory]
    [InlineData("\"flash\"", "DefaultAttentionBackend is 'flash' but the platform offers 'acme_attn'")]
    [InlineData("null", "DefaultAttentionBackend is null but the platform offers 'acme_attn'")]
    public void A_missing_or_unknown_default_attention_backend_fails(string defaultBackend, string message)
    {
        var run = SuiteRun.Of(new VendorPlugin { DefaultAttentionBackend = defaultBackend });

        run.Failed.Should().Contain("Default_attention_backend_is_explicit_and_offered");
        run.Failures["Default_attention_backend_is_explicit_and_offered"].Should().Contain(message);
    }

    [Fact]
    public void Attention_factories_that_throw_other_exceptions_or_names_that_clash_fail()
    {
        var run = SuiteRun.Of(new VendorPlugin
        {
            AttentionBackends = """
                new Dictionary<string, Func<AttentionBackendContext, IAttentionBackend>>
                {
                    ["acme_attn"] = _ => throw new InvalidOperationException("driver not initialised"),
                    ["Acme_Attn"] = _ => throw new NotSupportedException("no kernels"),
                }
                """,
        });

        run.Failed.Should().Equal("Attention_backend_names_are_unique_and_their_factories_work");
        run.Failures["Attention_backend_names_are_unique_and_their_factories_work"].Should()
            .Contain("'acme_attn' and 'Acme_Attn' differ only in case")
            .And.Contain("The factory of attention backend 'acme_attn' threw InvalidOperationException: driver not initialised");
    }

    [Fact]
    public void A_kv_pool_that_ignores_the_requested_capacity_fails()
    {
        var run = SuiteRun.Of(new VendorPlugin
        {
            KvPool = "KvPool.Create(device, request with { MaxTokens = 16 })",
        });

        run.Failed.Should().Equal("Kv_pool_honours_the_requested_capacity");
        run.Failures["Kv_pool_honours_the_requested_capacity"].Should().Contain("asked for MaxTokens = 64 but the pool has Capacity 16");
    }

    [Fact]
    public void Device_checks_of_a_platform_that_needs_its_hardware_are_skipped_here_with_the_reason()
    {
        var run = SuiteRun.Of(new VendorPlugin { SuiteOverrides = "protected override bool DeviceNeedsHardware => true;" });

        run.Failed.Should().BeEmpty();
        run.Skips.Keys.Should().BeEquivalentTo(
            "Attention_backend_names_are_unique_and_their_factories_work", "Kv_pool_honours_the_requested_capacity",
            "Declared_operations_match_the_cpu_reference", "Native_addresses_if_exposed_are_stable_and_point_at_the_buffers_memory",
            "Tiny_model_generates_the_cpu_tokens_and_names_every_fallback");
        run.Skips.Values.Should().OnlyContain(reason => reason.Contains("opens its device on the real hardware (DeviceNeedsHardware), and this machine has none: no PCI device of vendor 0x1e0f"));
    }

    [Fact]
    public void A_platform_with_a_device_layer_passes_the_device_checks_and_its_fallbacks_are_named()
    {
        var full = SuiteRun.Of(typeof(SimulatedSuite));
        var partial = SuiteRun.Of(typeof(PartialSimulatedSuite));

        foreach (var run in new[] { full, partial })
        {
            run.Failures["Declared_operations_match_the_cpu_reference"].Should().BeNull();
            run.Failures["Tiny_model_generates_the_cpu_tokens_and_names_every_fallback"].Should().BeNull();
            run.Failures["Kv_pool_honours_the_requested_capacity"].Should().BeNull();
        }
    }

    [Fact]
    public void A_slow_constructor_fails_the_constructor_check()
    {
        var run = SuiteRun.Of(new VendorPlugin
        {
            Constructor = "Thread.Sleep(300);",
            SuiteOverrides = "protected override TimeSpan ConstructionBudget => TimeSpan.FromMilliseconds(100);",
        });

        run.Failures["Constructor_is_cheap_and_does_not_probe"].Should().Contain("(budget 100 ms)").And.Contain("must not touch hardware");
    }

    [Fact]
    public void A_constructor_that_probes_fails_the_constructor_check()
    {
        var run = SuiteRun.Of(new VendorPlugin { Constructor = """Probe(new ProbeContext(new SystemView("/")));""" });

        run.Failed.Should().Contain("Constructor_is_cheap_and_does_not_probe");
        run.Failures["Constructor_is_cheap_and_does_not_probe"].Should().Contain("ran its probe");
    }
}

/// <summary>The suite run over the kit's simulated accelerator, which has a device layer (its export checks do not apply: it is not a plugin).</summary>
internal sealed class SimulatedSuite : PlatformConformanceTests<SimulatedDevicePlatform>
{
    protected override SimulatedDevicePlatform CreatePlatform() => new();

    protected override void ConfigureDevice(FakeSystemRoot root)
    {
    }
}

/// <summary>The same with argmax and rotary left to the CPU reference.</summary>
internal sealed class PartialSimulatedSuite : PlatformConformanceTests<SimulatedDevicePlatform>
{
    protected override SimulatedDevicePlatform CreatePlatform() => new()
    {
        Operations = Enum.GetValues<Sgl.Platforms.Devices.OperationKind>().Where(k => k is not (Sgl.Platforms.Devices.OperationKind.Argmax or Sgl.Platforms.Devices.OperationKind.Rotary)).ToHashSet(),
    };

    protected override void ConfigureDevice(FakeSystemRoot root)
    {
    }
}
