using System.Runtime.Versioning;
using System.Text.Json;
using Sgl.Platforms.Installer.Tests.Support;

namespace Sgl.Platforms.Installer.Tests;

/// <summary>What runs is what was verified: files swapped after the check never run, in either probe mode.</summary>
public sealed class VerifiedLoadTests
{
    [Fact]
    public async Task A_dependency_swapped_after_the_start_was_verified_is_not_what_runs_when_the_plugin_first_uses_it()
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
        File.WriteAllBytes(Path.Combine(installed.Directory, "Acme.Dep.A.dll"), TestAssemblies.Library("Acme.Dep.A", value: "swapped in after verification"));
        var helper = report.Platform!.GetType().GetProperty("Helper")!.GetValue(report.Platform);

        helper.Should().Be("Acme.Dep.A", "the dependency comes from the bytes that were verified, not from the file as it is now");
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task With_isolated_probes_a_plugin_swapped_before_the_probe_host_starts_is_not_what_the_probe_host_runs()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme");
        s.System.WithDeviceNode("acme0");
        var installed = await s.InstallAsync("Sgl.Platform.Acme");
        var evil = Path.Combine(s.Root, "evil.dll");
        File.WriteAllBytes(evil, TestAssemblies.Platform("Sgl.Platform.Acme", "acme", deviceName: "\"evil device\""));

        // The probe host starts after the parent verified the plugin: it swaps the file, then runs the real host.
        var host = Path.Combine(s.Root, "swapping-probe-host.sh");
        File.WriteAllText(host, $"""
            #!/bin/sh
            cp '{evil}' '{Path.Combine(installed.Directory, "Sgl.Platform.Acme.dll")}'
            exec dotnet '{SglCli.DllPath}' "$@"
            """);
        File.SetUnixFileMode(host, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var result = await SglCli.RunAsync(s, new Dictionary<string, string?> { ["SGL_PROBE_ISOLATION"] = "process", ["SGL_PROBE_HOST"] = host }, "platforms", "list", "--json");

        result.ExitCode.Should().Be(0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        json.RootElement.GetProperty("selected").GetString().Should().Be("acme");
        var acme = json.RootElement.GetProperty("candidates").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "acme");
        acme.GetProperty("devices")[0].GetProperty("name").GetString().Should().Be("acme device", "the probe host ran the verified plugin, not the file swapped in");
        File.ReadAllBytes(Path.Combine(installed.Directory, "Sgl.Platform.Acme.dll")).Should().Equal(File.ReadAllBytes(evil), "the swap really happened");
    }
}
