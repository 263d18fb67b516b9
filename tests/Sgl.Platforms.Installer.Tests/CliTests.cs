using System.Text.Json;
using Sgl.Platforms.Installer.Tests.Support;

namespace Sgl.Platforms.Installer.Tests;

/// <summary>The operator's journey through the real <c>sgl</c> process.</summary>
public sealed class CliTests
{
    [Fact]
    public async Task Install_then_list_selects_the_installed_plugin_and_tampering_makes_the_next_start_refuse_it_by_name()
    {
        using var s = new InstallScenario();
        s.Feed.AddLibrary("Acme.Dep.A");
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme", dependencies: [("Acme.Dep.A", "1.0.0")]);
        s.System.WithDeviceNode("acme0");

        var install = await SglCli.RunAsync(s, "platforms", "install", "Sgl.Platform.Acme", "--source", "../feed");

        install.ExitCode.Should().Be(0, install.Error);
        install.Output.Should().Contain("Installed Sgl.Platform.Acme 1.0.0").And.Contain("acme").And.Contain("Acme.Dep.A/1.0.0");

        var list = await SglCli.RunAsync(s, "platforms", "list", "--json");
        using (var report = JsonDocument.Parse(list.Output))
        {
            report.RootElement.GetProperty("selected").GetString().Should().Be("acme");
            report.RootElement.GetProperty("candidates").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "acme")
                .GetProperty("source").GetString().Should().Be("Installed");
        }

        (await SglCli.RunAsync(s, "platforms", "list", "--installed")).Output.Should().Contain("Sgl.Platform.Acme").And.Contain("verified");

        var dll = Path.Combine(s.Home, "sgl.platform.acme", "1.0.0", "Sgl.Platform.Acme.dll");
        File.AppendAllText(dll, "tampered");

        var refused = await SglCli.RunAsync(s, "platforms", "list", "--json");
        using (var report = JsonDocument.Parse(refused.Output))
        {
            var acme = report.RootElement.GetProperty("candidates").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "acme");
            acme.GetProperty("status").GetString().Should().Be("Rejected");
            acme.GetProperty("reason").GetString().Should().Contain("Sgl.Platform.Acme").And.Contain("sgl platforms restore");
        }

        var installed = await SglCli.RunAsync(s, "platforms", "list", "--installed");
        installed.ExitCode.Should().Be(3);
        installed.Output.Should().Contain("refused");

        var restore = await SglCli.RunAsync(s, "platforms", "restore");
        restore.ExitCode.Should().Be(0, restore.Error);
        restore.Output.Should().Contain("1 restored, 0 already in place");

        var remove = await SglCli.RunAsync(s, "platforms", "remove", "Sgl.Platform.Acme");
        remove.ExitCode.Should().Be(0, remove.Error);
        (await SglCli.RunAsync(s, "platforms", "list", "--installed")).Output.Should().Contain("No plugins installed");
    }

    [Fact]
    public async Task A_failed_install_exits_3_with_the_error_and_its_fix_on_stderr()
    {
        using var s = new InstallScenario();

        var result = await SglCli.RunAsync(s, "platforms", "install", "Sgl.Platform.Nope", "--version", "1.0.0");

        result.ExitCode.Should().Be(3);
        result.Error.Should().StartWith("error: Package 'Sgl.Platform.Nope' was not found on 'local'");
        Directory.Exists(Path.Combine(s.Home, "sgl.platform.nope")).Should().BeFalse();
    }
}
