using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Sgl.Platforms.Selection;
using Sgl.Platforms.Tests.Support;

namespace Sgl.Platforms.Tests.Reliability;

/// <summary>
/// Faults in loading, composing or initialising one plugin's types: each is that plugin's Failed row with
/// the inner cause, and selection goes on; none may escape as an unhandled exception.
/// </summary>
public sealed class PluginLoadFaultTests
{
    private static CandidateReport Candidate(SelectionReport report, string name) => report.Candidates.Single(c => c.Name == name);

    /// <summary>A System.Composition.AttributedModel newer than any host ships, with the attributes a plugin uses.</summary>
    private static string NewerComposition(string directory) => PluginCompiler.Compile(directory, "System.Composition.AttributedModel", """
        namespace System.Composition
        {
            [System.AttributeUsage(System.AttributeTargets.Class, AllowMultiple = true)]
            public class ExportAttribute : System.Attribute
            {
                public ExportAttribute(System.Type contractType) { }
            }
        }
        """, version: "99.0.0.0", contract: null, composition: null);

    [Fact]
    public void A_plugin_built_against_a_newer_system_composition_is_a_failed_row_naming_the_assembly()
    {
        using var scenario = new SelectionScenario();
        var newer = NewerComposition(PluginCompiler.NewDirectory());
        scenario.AddPlugin("acme", composition: newer);
        scenario.Root.WithDeviceNode("acme0");
        scenario.Options.Platform = "acme,cpu";

        var resolve = () => scenario.Resolve();

        var report = resolve.Should().NotThrow().Subject;
        Candidate(report, "acme").Status.Should().Be(CandidateStatus.Failed);
        Candidate(report, "acme").Reason.Should().Contain("System.Composition.AttributedModel").And.Contain("99.0.0.0");
        report.Selected.Should().Be("cpu", "the other candidates are composed and probed as usual");
    }

    [Fact]
    public void A_bit_flipped_plugin_assembly_is_a_failed_row_and_the_rest_proceed()
    {
        using var scenario = new SelectionScenario();
        var path = scenario.AddPlugin("acme", memberSource: "[System.ComponentModel.Description(\"gain calibration\")] public int Calibrate(int gain) => gain;");
        CorruptAttributeOf(path, "Calibrate");
        scenario.Root.WithDeviceNode("acme0");
        scenario.Options.Platform = "acme,cpu";

        var resolve = () => scenario.Resolve();

        var report = resolve.Should().NotThrow().Subject;
        Candidate(report, "acme").Status.Should().Be(CandidateStatus.Failed);
        Candidate(report, "acme").Reason.Should().Contain("Composing").And.Contain("Vendor.VendorPlatformNs.VendorPlatform");
        report.Selected.Should().Be("cpu");
    }

    [Fact]
    public void A_static_constructor_that_throws_shows_the_vendors_message()
    {
        using var scenario = new SelectionScenario();
        scenario.AddPlugin("acme", memberSource: """
            static VendorPlatform() => throw new System.InvalidOperationException("calibration table /opt/acme/cal.bin is missing");
            """);
        scenario.Root.WithDeviceNode("acme0");
        scenario.Options.Platform = "acme,cpu";

        var report = scenario.Resolve();

        var acme = Candidate(report, "acme");
        acme.Status.Should().Be(CandidateStatus.Failed);
        acme.Reason.Should().Contain("calibration table /opt/acme/cal.bin is missing").And.Contain("InvalidOperationException").And.Contain("static constructor");
    }

    /// <summary>Flips bits in a custom attribute of <paramref name="method"/>, as disk or transfer corruption would, leaving the rest of the image loadable.</summary>
    private static void CorruptAttributeOf(string path, string method)
    {
        var bytes = File.ReadAllBytes(path);
        int offset;
        unsafe
        {
            using var pe = new PEReader(new MemoryStream(bytes));
            var reader = pe.GetMetadataReader();
            var handle = reader.MethodDefinitions.Single(h => reader.GetString(reader.GetMethodDefinition(h).Name) == method);
            var attribute = reader.GetCustomAttribute(reader.GetMethodDefinition(handle).GetCustomAttributes().Single());
            var value = reader.GetBlobReader(attribute.Value);
            offset = (int)(value.StartPointer - reader.MetadataPointer) + pe.PEHeaders.MetadataStartOffset;
        }

        // The value starts with the prolog 0x0001, then the string argument's length; a flipped bit makes
        // that length run past the end of the blob.
        bytes[offset + 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);
    }
}
