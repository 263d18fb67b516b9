using Sgl.Platforms.Installer.Tests.Support;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Installer.Tests;

/// <summary>The host checks installed plugins against the lock file before it reads them.</summary>
public sealed class HostVerificationTests
{
    [Fact]
    public async Task A_tampered_installed_plugin_is_refused_by_name_and_restore_repairs_it()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme");
        var installed = await s.InstallAsync("Sgl.Platform.Acme");
        s.System.WithDeviceNode("acme0");
        var dll = Path.Combine(installed.Directory, "Sgl.Platform.Acme.dll");
        var bytes = File.ReadAllBytes(dll);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(dll, bytes);

        var report = s.Resolve();

        var acme = report.Candidates.Single(c => c.Name == "acme");
        acme.Status.Should().Be(CandidateStatus.Rejected);
        acme.Source.Should().Be(CandidateSource.Installed);
        acme.Reason.Should().Contain("Sgl.Platform.Acme").And.Contain("SHA-512").And.Contain("sgl platforms restore");
        AppDomain.CurrentDomain.GetAssemblies().Should().NotContain(a => a.Location == dll, "a refused plugin is never loaded");
        s.Installer().ListInstalled().Single().Problem.Should().Contain("SHA-512");

        (await s.Installer().RestoreAsync(cancellationToken: TestContext.Current.CancellationToken)).Restored.Should().ContainSingle();
        s.Resolve().Selected.Should().Be("acme");
    }

    [Fact]
    public async Task A_file_dropped_into_a_plugin_folder_is_refused()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme");
        var installed = await s.InstallAsync("Sgl.Platform.Acme");
        File.WriteAllBytes(Path.Combine(installed.Directory, "Extra.dll"), [0x4d, 0x5a]);

        var acme = s.Resolve("cpu").Candidates.Single(c => c.Name == "acme");

        acme.Status.Should().Be(CandidateStatus.Rejected);
        acme.Reason.Should().Contain("Extra.dll").And.Contain("not one of the files");
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_plugin_folder_writable_by_group_or_others_is_refused()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme");
        var installed = await s.InstallAsync("Sgl.Platform.Acme");
        File.SetUnixFileMode(installed.Directory, File.GetUnixFileMode(installed.Directory) | UnixFileMode.OtherWrite);

        var acme = s.Resolve("cpu").Candidates.Single(c => c.Name == "acme");

        acme.Status.Should().Be(CandidateStatus.Rejected);
        acme.Reason.Should().Contain("writable by group or others").And.Contain("chmod");
    }

    [Fact]
    public async Task A_lock_file_that_cannot_be_read_fails_the_installed_source_with_the_fix()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme");
        await s.InstallAsync("Sgl.Platform.Acme");
        File.WriteAllText(s.LockFilePath, "{ not json");

        var row = s.Resolve("cpu").Candidates.Single(c => c.Source == CandidateSource.Installed);

        row.Status.Should().Be(CandidateStatus.Rejected);
        row.Reason.Should().Contain("platforms.lock.json").And.Contain("No installed plugin was loaded");
        (await FluentActions.Awaiting(() => s.InstallAsync("Sgl.Platform.Acme")).Should().ThrowAsync<PluginInstallException>())
            .Which.Error.Should().Be(PluginInstallError.InvalidLockFile);
    }
}
