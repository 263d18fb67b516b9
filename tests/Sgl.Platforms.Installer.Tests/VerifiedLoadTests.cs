using System.Runtime.Versioning;
using System.Text.Json;
using Sgl.Platforms.Installer.Tests.Support;

namespace Sgl.Platforms.Installer.Tests;

/// <summary>
/// What runs is what was verified: a file swapped after the check never runs, in either probe mode. A file
/// replaced (as an upgrade or an attacker with the folder would) leaves the verified bytes to run; a file
/// rewritten in place (which only its owner or root can do) is refused when it loads.
/// </summary>
public sealed class VerifiedLoadTests
{
    [Theory]
    [InlineData("replaced")]
    [InlineData("rewritten in place")]
    public async Task A_dependency_swapped_after_the_start_was_verified_is_not_what_runs_when_the_plugin_first_uses_it(string swap)
    {
        using var s = new InstallScenario();
        var dependency = TestAssemblies.Library("Acme.Dep.A");
        s.Feed.Add("Acme.Dep.A", "1.0.0", [("lib/net10.0/Acme.Dep.A.dll", dependency)]);
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme", dependencies: [("Acme.Dep.A", "1.0.0")], useDependency: "Acme.Dep.A", references: [dependency]);
        s.System.WithDeviceNode("acme0");
        var installed = await s.InstallAsync("Sgl.Platform.Acme");
        var report = s.Resolve();
        report.Selected.Should().Be("acme");

        // The plugin has not touched its dependency yet; it loads when Helper first runs.
        var file = Path.Combine(installed.Directory, "Acme.Dep.A.dll");
        Swap(file, TestAssemblies.Library("Acme.Dep.A", value: "swapped in after verification"), swap, s.Root);
        var helper = FluentActions.Invoking(() => report.Platform!.GetType().GetProperty("Helper")!.GetValue(report.Platform));

        if (swap == "replaced")
        {
            helper().Should().Be("Acme.Dep.A", "the dependency comes from the file as it was verified, not as it is now");
        }
        else
        {
            helper.Should().Throw<Exception>().Which.ToString().Should().Contain($"'{file}' was rewritten after it was verified").And.Contain("sgl platforms restore")
                .And.NotContain("swapped in after verification");
        }
    }

    [Theory]
    [InlineData("replaced")]
    [InlineData("rewritten in place")]
    [UnsupportedOSPlatform("windows")]
    public async Task With_isolated_probes_a_plugin_swapped_before_the_probe_host_starts_is_not_what_the_probe_host_runs(string swap)
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme");
        s.System.WithDeviceNode("acme0");
        var installed = await s.InstallAsync("Sgl.Platform.Acme");
        var dll = Path.Combine(installed.Directory, "Sgl.Platform.Acme.dll");
        var evil = Path.Combine(s.Root, "evil.dll");
        File.WriteAllBytes(evil, TestAssemblies.Platform("Sgl.Platform.Acme", "acme", deviceName: "\"evil device\""));

        // The probe host starts after the parent verified the plugin: it swaps the file, then runs the real host.
        var host = Path.Combine(s.Root, "swapping-probe-host.sh");
        File.WriteAllText(host, $"""
            #!/bin/sh
            {(swap == "replaced" ? $"cp '{evil}' '{evil}.new' && mv '{evil}.new' '{dll}'" : $"cp '{evil}' '{dll}'")}
            exec dotnet '{SglCli.DllPath}' "$@"
            """);
        File.SetUnixFileMode(host, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var result = await SglCli.RunAsync(s, new Dictionary<string, string?> { ["SGL_PROBE_ISOLATION"] = "process", ["SGL_PROBE_HOST"] = host }, "platforms", "list", "--json");

        using var json = JsonDocument.Parse(result.Output);
        var acme = json.RootElement.GetProperty("candidates").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "acme");
        acme.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("name").GetString()).Should().NotContain("evil device");
        File.ReadAllBytes(dll).Should().Equal(File.ReadAllBytes(evil), "the swap really happened");
        if (swap == "replaced")
        {
            result.ExitCode.Should().Be(0, result.Error);
            json.RootElement.GetProperty("selected").GetString().Should().Be("acme");
            acme.GetProperty("devices")[0].GetProperty("name").GetString().Should().Be("acme device", "the probe host ran the verified plugin");
        }
        else
        {
            acme.GetProperty("status").GetString().Should().Be("Failed");
            acme.GetProperty("reason").GetString().Should().Contain($"'{dll}' was rewritten after it was verified");
        }
    }

    private static void Swap(string file, byte[] content, string how, string scratch)
    {
        if (how == "replaced")
        {
            var replacement = Path.Combine(scratch, "replacement.dll");
            File.WriteAllBytes(replacement, content);
            File.Move(replacement, file, overwrite: true);
        }
        else
        {
            File.WriteAllBytes(file, content);
        }
    }
}
