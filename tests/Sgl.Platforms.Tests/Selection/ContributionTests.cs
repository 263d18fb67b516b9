using Sgl.Platforms.Contributions;
using Sgl.Platforms.Selection;
using Sgl.Platforms.Tests.Support;

namespace Sgl.Platforms.Tests.Selection;

/// <summary>Contributions from separate packages: composed with the platform they extend, each fault their own row.</summary>
public sealed class ContributionTests
{
    private static ContributionReport Row(SelectionReport report, string name) => report.Contributions.Single(c => c.Name == name);

    private static string[] LoadedAssemblyNames() =>
        AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name!).ToArray();

    [Fact]
    public void An_attention_backend_contributed_to_cpu_is_active_and_composed_with_the_selected_platform()
    {
        using var scenario = new SelectionScenario();
        scenario.AddContribution("Vendor.FastAttention", PluginCompiler.AttentionContributionSource("fast-attn", priority: 10));

        var report = scenario.Resolve();

        report.Selected.Should().Be("cpu");
        var row = Row(report, "fast-attn");
        row.Status.Should().Be(ContributionStatus.Active, row.Reason);
        row.Kind.Should().Be(ContributionKind.AttentionBackend);
        row.Extends.Should().Be("cpu");
        var part = PlatformContributions.Of(report.Platform!).AttentionBackends.Should().ContainSingle().Subject;
        part.Name.Should().Be("fast-attn");
        part.IsPreferred.Should().BeTrue("a priority above 0 prefers the contribution over the platform's own default");
    }

    [Fact]
    public void A_contribution_to_a_platform_kind_extends_every_platform_of_that_kind()
    {
        using var scenario = new SelectionScenario();
        scenario.AddContribution("Vendor.KindAttention", PluginCompiler.AttentionContributionSource("kind-attn", extends: null, extendsKind: "Cpu"));

        var report = scenario.Resolve();

        Row(report, "kind-attn").Status.Should().Be(ContributionStatus.Active);
        Row(report, "kind-attn").Extends.Should().Be("kind:Cpu");
    }

    [Fact]
    public void A_contribution_to_a_platform_that_was_not_selected_is_unused_and_never_loaded()
    {
        using var scenario = new SelectionScenario();
        var path = scenario.AddContribution("Vendor.CudaAttention", PluginCompiler.AttentionContributionSource("flash", extends: "cuda", priority: 10));

        var report = scenario.Resolve();

        var row = Row(report, "flash");
        row.Status.Should().Be(ContributionStatus.Unused);
        row.Reason.Should().Contain("'cuda'").And.Contain("'cpu' was selected");
        LoadedAssemblyNames().Should().NotContain(Path.GetFileNameWithoutExtension(path));
        PlatformContributions.Of(report.Platform!).AttentionBackends.Should().BeEmpty();
    }

    [Fact]
    public void A_contribution_whose_constructor_throws_is_failed_with_the_vendors_message_and_the_platform_still_runs()
    {
        using var scenario = new SelectionScenario();
        scenario.AddContribution("Vendor.Broken", PluginCompiler.AttentionContributionSource("broken-attn", constructorBody: "throw new System.InvalidOperationException(\"kernel image missing\");"));

        var report = scenario.Resolve();

        report.Selected.Should().Be("cpu");
        var row = Row(report, "broken-attn");
        row.Status.Should().Be(ContributionStatus.Failed);
        row.Reason.Should().Contain("kernel image missing").And.Contain("runs without it");
        PlatformContributions.Of(report.Platform!).AttentionBackends.Should().BeEmpty();
    }

    [Fact]
    public void A_contribution_whose_constructor_hangs_times_out_and_the_platform_still_runs()
    {
        using var scenario = new SelectionScenario();
        scenario.Options.ProbeTimeoutMs = "300";
        scenario.AddContribution("Vendor.Hang", PluginCompiler.AttentionContributionSource("hang-attn", constructorBody: "System.Threading.Thread.Sleep(System.Threading.Timeout.Infinite);"));

        var report = scenario.Resolve();

        report.Selected.Should().Be("cpu");
        var row = Row(report, "hang-attn");
        row.Status.Should().Be(ContributionStatus.TimedOut);
        row.Reason.Should().Contain("300 ms").And.Contain("SGL_PROBE_TIMEOUT_MS");
    }

    [Fact]
    public void A_contribution_built_against_a_newer_contract_minor_is_rejected_naming_both_versions_and_never_loaded()
    {
        using var scenario = new SelectionScenario();
        var contract = Path.Combine(PluginCompiler.NewDirectory(), "Sgl.Platforms.Abstractions.dll");
        File.WriteAllBytes(contract, PluginCompiler.NewerMinorContractImage);
        var path = scenario.AddContribution("Vendor.Newer", """
            using System.Composition;
            using Sgl.Platforms.Contributions;
            [Export(typeof(AttentionBackendContribution))]
            [PlatformContribution("newer-attn", Extends = "cpu")]
            public sealed class NewerAttention : AttentionBackendContribution { }
            """, contract: contract);

        var report = scenario.Resolve();

        var row = Row(report, "newer-attn");
        row.Status.Should().Be(ContributionStatus.Rejected);
        row.Reason.Should().Contain("1.2.0.0").And.Contain("1.1.0.0");
        LoadedAssemblyNames().Should().NotContain(Path.GetFileNameWithoutExtension(path));
    }

    [Fact]
    public void Two_packages_contributing_the_same_name_are_both_rejected_naming_both_packages()
    {
        using var scenario = new SelectionScenario();
        var first = scenario.AddContribution("Vendor.One", PluginCompiler.AttentionContributionSource("same-attn"));
        var second = scenario.AddContribution("Vendor.Two", PluginCompiler.AttentionContributionSource("same-attn"));

        var report = scenario.Resolve();

        var rows = report.Contributions.Where(c => c.Name == "same-attn").ToList();
        rows.Should().HaveCount(2).And.OnlyContain(r => r.Status == ContributionStatus.Rejected);
        rows[0].Reason.Should().Contain(Path.GetFileNameWithoutExtension(first)).And.Contain(Path.GetFileNameWithoutExtension(second));
        LoadedAssemblyNames().Should().NotContain([Path.GetFileNameWithoutExtension(first), Path.GetFileNameWithoutExtension(second)]);
    }

    [Fact]
    public void An_attention_backend_that_shadows_the_platforms_own_is_rejected_and_the_platforms_own_is_kept()
    {
        using var scenario = new SelectionScenario();
        scenario.AddContribution("Vendor.Shadow", PluginCompiler.AttentionContributionSource("simd"));

        var report = scenario.Resolve();

        Row(report, "simd").Status.Should().Be(ContributionStatus.Rejected);
        Row(report, "simd").Reason.Should().Contain("own backends");
    }

    [Fact]
    public void The_contributions_setting_none_excludes_every_contribution_without_loading_it()
    {
        using var scenario = new SelectionScenario();
        var path = scenario.AddContribution("Vendor.Excluded", PluginCompiler.AttentionContributionSource("fast-attn", priority: 10));
        scenario.Options.Contributions = "none";

        var report = scenario.Resolve();

        var row = Row(report, "fast-attn");
        row.Status.Should().Be(ContributionStatus.Excluded);
        row.Reason.Should().Contain("SGL_PLATFORM_CONTRIBUTIONS=none");
        LoadedAssemblyNames().Should().NotContain(Path.GetFileNameWithoutExtension(path));
    }

    [Fact]
    public void A_contribution_list_keeps_only_the_named_contributions()
    {
        using var scenario = new SelectionScenario();
        scenario.AddContribution("Vendor.Kept", PluginCompiler.AttentionContributionSource("kept-attn", className: "Kept"));
        scenario.AddContribution("Vendor.Dropped", PluginCompiler.AttentionContributionSource("dropped-attn", className: "Dropped"));
        scenario.Options.Contributions = "kept-attn";

        var report = scenario.Resolve();

        Row(report, "kept-attn").Status.Should().Be(ContributionStatus.Active);
        Row(report, "dropped-attn").Status.Should().Be(ContributionStatus.Excluded);
        Row(report, "dropped-attn").Reason.Should().Contain("kept-attn");
    }

    [Fact]
    public void A_type_exported_as_a_contribution_it_does_not_derive_from_is_left_out_naming_the_type_and_the_contract()
    {
        using var scenario = new SelectionScenario();
        scenario.AddContribution("Vendor.Liar", """
            using System.Composition;
            using Sgl.Platforms;
            using Sgl.Platforms.Contributions;

            [Export(typeof(AttentionBackendContribution))]
            [PlatformContribution("liar-attn", Extends = "cpu", Priority = 10)]
            public sealed class LiarAttention { }
            """);

        var report = scenario.Resolve();

        report.Selected.Should().Be("cpu", "a broken contribution never stops the platform");
        var row = Row(report, "liar-attn");
        row.Status.Should().Be(ContributionStatus.Failed);
        row.Reason.Should().Contain("Exported contract type 'AttentionBackendContribution' is not assignable from part 'LiarAttention'").And.Contain("runs without it");
        PlatformContributions.Of(report.Platform!).AttentionBackends.Should().BeEmpty();
    }

    [Fact]
    public void A_contribution_export_without_metadata_is_rejected_saying_what_the_vendor_must_add()
    {
        using var scenario = new SelectionScenario();
        scenario.AddContribution("Vendor.Bare", PluginCompiler.AttentionContributionSource("bare-attn", metadata: false, className: "BareAttention"));

        var report = scenario.Resolve();

        var row = report.Contributions.Should().ContainSingle().Subject;
        row.Status.Should().Be(ContributionStatus.Rejected);
        row.Reason.Should().Contain("[PlatformContribution(");
        row.Name.Should().Contain("BareAttention");
    }

    [Fact]
    public void A_contribution_naming_no_platform_is_rejected()
    {
        using var scenario = new SelectionScenario();
        scenario.AddContribution("Vendor.Nowhere", PluginCompiler.AttentionContributionSource("nowhere-attn", extends: null));

        Row(scenario.Resolve(), "nowhere-attn").Status.Should().Be(ContributionStatus.Rejected);
    }

    [Fact]
    public void Parts_import_the_hosts_plugin_settings_and_system_view()
    {
        using var scenario = new SelectionScenario();
        scenario.Options.PluginSettings["tuned-attn"] = new(StringComparer.OrdinalIgnoreCase) { ["block"] = "64" };
        scenario.AddContribution("Vendor.Tuned", PluginCompiler.AttentionContributionSource("tuned-attn", members: """
            [ImportingConstructor]
            public AcmeAttention(PluginSettings settings, Sgl.Platforms.Probing.SystemView system)
            {
                Served.Note = settings.For("tuned-attn")["block"] + "@" + system.Root;
            }
            """));

        var report = scenario.Resolve();

        Row(report, "tuned-attn").Status.Should().Be(ContributionStatus.Active, Row(report, "tuned-attn").Reason);
        var part = PlatformContributions.Of(report.Platform!).AttentionBackends.Single().Part;
        var note = part.GetType().Assembly.GetType("Vendor.ContributionNs.Served")!.GetField("Note")!.GetValue(null);
        note.Should().Be("64@" + scenario.Root.Root);
    }
}
