using Sgl.Platforms.Testing;

namespace Sgl.Platforms.EndToEnd.Tests;

/// <summary>
/// A vendor's journey: install the template package from the feed into a private template hive,
/// <c>dotnet new sgl-platform</c>, <c>dotnet test</c> (the conformance suite), <c>dotnet pack</c>, and a
/// fresh application that adds the packed plugin and selects it on the vendor's (fake) hardware. Plus
/// what a vendor sees when the probe is broken or the template parameters are wrong.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class TemplateJourneyTests(PackageFeed feed)
{
    private const string PluginName = "Sgl.Platform.Acme";
    private static readonly Lock Gate = new();
    private static string? s_packedPlugin;

    [Fact]
    public void The_generated_plugin_passes_its_conformance_suite_packs_and_is_selected_in_a_fresh_app_on_its_hardware()
    {
        var plugin = PackedPlugin();
        File.Exists(plugin).Should().BeTrue();

        // The vendor's package goes where users get packages from; the app knows nothing else about it.
        File.Copy(plugin, Path.Combine(feed.Feed, Path.GetFileName(plugin)), overwrite: true);
        var app = feed.NewProject("AcmeConsole");
        feed.Dotnet(app, "add", "package", "Sgl.Platforms");
        feed.Dotnet(app, "add", "package", PluginName);
        File.WriteAllText(Path.Combine(app, "Program.cs"), ConsoleAppJourneyTests.PrintPlatformProgram);

        using var acmeMachine = new FakeSystemRoot().WithPciDevice(0x1e0f, 0x0001, address: "0000:5e:00.0").WithDeviceNode("accel/accel0");
        RunPrinted(app, acmeMachine, "run", "-c", "Release").Should().Be("acme");
        RunPrinted(app, feed.BareMachine, "run", "-c", "Release", "--no-build").Should().Be("cpu");
    }

    [Fact]
    public void A_probe_that_throws_on_an_empty_machine_fails_the_conformance_suite_with_a_message_naming_the_problem()
    {
        var solution = Instantiate("Sgl.Platform.Broken", "--pci-vendor-id", "0x1e0f");
        var probe = Path.Combine(solution, "src", "Sgl.Platform.Broken", "BrokenProbe.cs");
        var source = File.ReadAllText(probe);
        const string Anchor = "        var nodes = system.FindDeviceNodes(DeviceNodePattern);\n";
        source.Should().Contain(Anchor, "the generated probe is what this test breaks");
        File.WriteAllText(probe, source.Replace(Anchor, Anchor +
            "        if (pci.Count == 0 && nodes.Count == 0)\n        {\n            throw new InvalidOperationException(\"the broken driver does not answer\");\n        }\n", StringComparison.Ordinal));

        var result = DotnetCommand.Dotnet(solution, feed.Environment, "test");

        result.ExitCode.Should().NotBe(0);
        var output = result.StandardOutput + result.StandardError;
        output.Should().Contain("Probe_on_an_empty_machine_is_not_present")
            .And.Contain("as Failed: Probing 'broken' threw InvalidOperationException: the broken driver does not answer")
            .And.Contain("A probe must return ProbeResult.NotPresent");
        output.Should().Contain("Failed:     1,", "only the broken check fails");
    }

    [Fact]
    public void Invalid_template_parameters_are_refused_with_a_message_that_names_them()
    {
        var refused = DotnetCommand.Dotnet(feed.Root, feed.Environment, "new", "sgl-platform", "--debug:custom-hive", Hive(),
            "-n", "Sgl.Platform.Priority", "-o", Path.Combine(feed.Root, "apps", "Sgl.Platform.Priority"), "--pci-vendor-id", "0x1e0f", "--priority", "high");
        refused.ExitCode.Should().NotBe(0);
        (refused.StandardOutput + refused.StandardError).Should().Contain("'--priority'");

        var solution = Instantiate("Sgl.Platform.Cuda", "--pci-vendor-id", "10dz");
        var build = DotnetCommand.Dotnet(solution, feed.Environment, "build");

        build.ExitCode.Should().NotBe(0);
        var output = build.StandardOutput + build.StandardError;
        output.Should().Contain("The platform name 'cuda' is reserved for a built-in platform")
            .And.Contain("The PCI vendor id '10dz' is not 4 hex digits");

        var badName = Instantiate("Sgl.Platform.Upper", "--platform", "Acme", "--pci-vendor-id", "0x1e0f");
        File.ReadAllText(Path.Combine(badName, "src", "Sgl.Platform.Upper", "UpperPlatform.cs"))
            .Should().StartWith("#error The platform name 'Acme' is not a lowercase id");
    }

    /// <summary>Instantiates, tests and packs the Acme plugin once for the class.</summary>
    private string PackedPlugin()
    {
        lock (Gate)
        {
            if (s_packedPlugin is null)
            {
                var solution = Instantiate(PluginName, "--pci-vendor-id", "0x1E0F", "--device-node", "accel/accel*", "--vendor", "Acme Corp");

                var test = feed.Dotnet(solution, "test");
                test.StandardOutput.Should().MatchRegex(@"Passed!\s+-\s+Failed:\s+0, Passed:\s+\d+", "the generated conformance suite passes out of the box");

                feed.Dotnet(solution, "pack", Path.Combine("src", PluginName), "-c", "Release");
                s_packedPlugin = Directory.GetFiles(Path.Combine(solution, "artifacts", "packages"), PluginName + ".*.nupkg").Single();
            }

            return s_packedPlugin;
        }
    }

    /// <summary><c>dotnet new sgl-platform</c> from the packed template, into a fresh folder, against this run's feed.</summary>
    private string Instantiate(string name, params string[] options)
    {
        var output = Path.Combine(feed.Root, "apps", name);
        feed.Dotnet(feed.Root, ["new", "sgl-platform", "--debug:custom-hive", Hive(), "-n", name, "-o", output, "--sgl-feed", feed.Feed, .. options]);
        return output;
    }

    private string Hive() => feed.TemplateHive();

    private string RunPrinted(string workingDirectory, FakeSystemRoot machine, params string[] arguments)
    {
        var result = DotnetCommand.Dotnet(workingDirectory, feed.On(machine), arguments).EnsureSuccess();
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
    }
}
