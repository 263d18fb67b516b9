using Sgl.Platforms.Discovery;
using Sgl.Platforms.Selection;
using Sgl.Platforms.Tests.Support;

namespace Sgl.Platforms.Tests.Performance;

/// <summary>
/// Plain platform parts are constructed without System.Composition's attributed model (which compiles an
/// expression per part); parts that use more of MEF must still get all of it.
/// </summary>
public sealed class PlainPartCompositionTests
{
    [Fact]
    public void The_built_ins_are_plain_parts()
    {
        foreach (var type in Sgl.Platforms.BuiltIn.BuiltInPlatforms.Types)
        {
            PlainPlatformPartProvider.IsPlain(type).Should().BeTrue(type.Name);
        }
    }

    [Fact]
    public void A_part_with_an_imports_satisfied_callback_is_composed_by_the_attributed_model_which_calls_it()
    {
        using var scenario = new SelectionScenario();
        scenario.Root.WithDeviceNode("acme0");
        scenario.PluginPaths.Add(PluginCompiler.Compile(scenario.PluginDirectory, SelectionScenario.UniqueAssemblyName("Vendor.Callback"), PartSource(
            members: "private bool _composed; [OnImportsSatisfied] public void Composed() => _composed = true;",
            probe: "return _composed ? ProbeResult.Available([new DeviceInfo(0, \"acme\")]) : ProbeResult.NotPresent(\"OnImportsSatisfied was not called\");")));

        var report = scenario.Resolve();

        report.Candidates.Single(c => c.Name == "acme").Status.Should().Be(CandidateStatus.Available, "MEF must call the part's OnImportsSatisfied method");
        report.Selected.Should().Be("acme");
    }

    [Fact]
    public void A_part_whose_importing_constructor_cannot_be_satisfied_fails_alone_with_the_composition_error()
    {
        using var scenario = new SelectionScenario();
        scenario.Root.WithDeviceNode("zeta0");
        scenario.PluginPaths.Add(PluginCompiler.Compile(scenario.PluginDirectory, SelectionScenario.UniqueAssemblyName("Vendor.Importing"), PartSource(
            constructor: "[ImportingConstructor] public VendorPlatform(IServiceProvider services) { }",
            probe: "return ProbeResult.Available([new DeviceInfo(0, \"acme\")]);")));
        scenario.AddPlugin("zeta");

        var report = scenario.Resolve();

        var acme = report.Candidates.Single(c => c.Name == "acme");
        acme.Status.Should().Be(CandidateStatus.Failed);
        acme.Reason.Should().Contain("Composing").And.Contain("IServiceProvider");
        report.Candidates.Single(c => c.Name == "zeta").Status.Should().Be(CandidateStatus.Available, "one broken part must not take the plain ones down");
    }

    private static string PartSource(string probe, string members = "", string constructor = "") => $$"""
        using System;
        using System.Composition;
        using Sgl.Platforms;
        using Sgl.Platforms.Probing;

        namespace Vendor.Parts;

        [Export(typeof(Platform))]
        [PlatformMetadata("acme", Kind = PlatformEnum.Oot, Priority = 200, Vendor = "Test Vendor")]
        public sealed class VendorPlatform : Platform
        {
            {{constructor}}
            {{members}}
            protected override ProbeResult ProbeCore(ProbeContext context)
            {
                {{probe}}
            }
        }
        """;
}
