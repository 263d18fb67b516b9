using System.Text.Json;
using Sgl.Platforms.Installer.Tests.Support;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Installer.Tests;

public sealed class InstallTests
{
    [Fact]
    public async Task A_plugin_with_two_dependencies_installs_from_a_folder_feed_and_the_host_selects_it()
    {
        using var s = new InstallScenario();
        var a = TestAssemblies.Library("Acme.Dep.A");
        s.Feed.Add("Acme.Dep.A", "1.0.0", [("lib/net10.0/Acme.Dep.A.dll", a)]);
        s.Feed.Add("Acme.Dep.A", "1.2.0", [("lib/net10.0/Acme.Dep.A.dll", a)]);
        s.Feed.AddLibrary("Acme.Dep.B", "2.0.0");
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme", dependencies:
            [("Acme.Dep.A", "1.0.0"), ("Acme.Dep.B", "[2.0.0, 3.0.0)"), ("Microsoft.Extensions.Logging.Abstractions", "8.0.0"), ("System.Composition.AttributedModel", "8.0.0")],
            useDependency: "Acme.Dep.A", references: [a]);
        s.System.WithDeviceNode("acme0");

        var installed = await s.InstallAsync("Sgl.Platform.Acme");

        installed.Version.Should().Be("1.0.0");
        installed.Platforms.Should().Equal("acme");
        installed.Dependencies.Should().Equal("Acme.Dep.A/1.0.0", "Acme.Dep.B/2.0.0"); // lowest applicable; host-provided left out
        Directory.GetFiles(installed.Directory).Select(Path.GetFileName).Should().BeEquivalentTo("Sgl.Platform.Acme.dll", "Acme.Dep.A.dll", "Acme.Dep.B.dll");
        installed.Directory.Should().Be(Path.Combine(s.Home, "sgl.platform.acme", "1.0.0"));

        using var lockJson = JsonDocument.Parse(File.ReadAllText(s.LockFilePath));
        var entry = lockJson.RootElement.GetProperty("plugins")[0];
        entry.GetProperty("id").GetString().Should().Be("Sgl.Platform.Acme");
        entry.GetProperty("source").GetString().Should().Be(s.Feed.Folder);
        entry.GetProperty("sha512").GetString().Should().NotBeNullOrEmpty();
        entry.GetProperty("dependencies").GetArrayLength().Should().Be(2);

        var report = s.Resolve();
        report.Selected.Should().Be("acme");
        var acme = report.Candidates.Single(c => c.Name == "acme");
        acme.Source.Should().Be(CandidateSource.Installed);
        report.Platform!.GetType().Assembly.GetType("Sgl.Platform.Acme.TestPlatform")!.GetProperty("Helper")!.GetValue(report.Platform).Should().Be("Acme.Dep.A",
            "the plugin's own load context finds its dependency beside it");
        report.Platform.Should().BeAssignableTo<Platform>("the contract is shared with the host, so type identity holds");
    }

    [Fact]
    public async Task An_explicit_version_prerelease_and_upgrade_replace_the_pinned_version()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme", "1.0.0");
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme", "1.1.0");
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme", "2.0.0-beta.1");
        var installer = s.Installer();

        (await installer.InstallAsync(new PluginInstallRequest("Sgl.Platform.Acme") { Version = "1.0.0" }, cancellationToken: TestContext.Current.CancellationToken)).Version.Should().Be("1.0.0");
        (await installer.InstallAsync(new PluginInstallRequest("Sgl.Platform.Acme"), cancellationToken: TestContext.Current.CancellationToken)).Version.Should().Be("1.1.0");
        (await installer.InstallAsync(new PluginInstallRequest("sgl.platform.acme") { Prerelease = true }, cancellationToken: TestContext.Current.CancellationToken)).Version.Should().Be("2.0.0-beta.1");

        installer.ListInstalled().Should().ContainSingle().Which.Should().Match<InstalledPlugin>(p => p.Version == "2.0.0-beta.1" && p.Problem == null);
        Directory.GetDirectories(Path.Combine(s.Home, "sgl.platform.acme")).Select(Path.GetFileName).Should().Equal("2.0.0-beta.1");
    }

    [Fact]
    public async Task Remove_drops_the_lock_entry_and_the_folder_and_an_unknown_id_is_a_clear_error()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme");
        s.Feed.AddPlugin("Sgl.Platform.Bolt", "bolt");
        await s.InstallAsync("Sgl.Platform.Acme");
        await s.InstallAsync("Sgl.Platform.Bolt");
        var installer = s.Installer();

        await installer.RemoveAsync("Sgl.Platform.Acme", TestContext.Current.CancellationToken);

        installer.ListInstalled().Select(p => p.Id).Should().Equal("Sgl.Platform.Bolt");
        Directory.Exists(Path.Combine(s.Home, "sgl.platform.acme")).Should().BeFalse();
        s.Resolve().Candidates.Should().NotContain(c => c.Name == "acme");

        var missing = await FluentActions.Awaiting(() => installer.RemoveAsync("Sgl.Platform.Acme", TestContext.Current.CancellationToken)).Should().ThrowAsync<PluginInstallException>();
        missing.Which.Error.Should().Be(PluginInstallError.NotInstalled);
        missing.Which.Message.Should().Contain("Sgl.Platform.Bolt").And.Contain("sgl platforms list --installed");
    }

    [Fact]
    public async Task Restore_on_a_fresh_node_reinstalls_exactly_what_the_lock_file_pins()
    {
        using var s = new InstallScenario();
        s.Feed.AddLibrary("Acme.Dep.A");
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme", dependencies: [("Acme.Dep.A", "1.0.0")]);
        s.Feed.AddPlugin("Sgl.Platform.Bolt", "bolt");
        await s.InstallAsync("Sgl.Platform.Acme");
        await s.InstallAsync("Sgl.Platform.Bolt");
        var pinned = File.ReadAllText(s.LockFilePath);
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme", "9.0.0"); // a newer release must not leak into a restore

        using var node = new InstallScenario();
        Directory.CreateDirectory(node.Home);
        File.WriteAllText(node.LockFilePath, pinned);
        node.UseSources(("local", s.Feed.Folder));
        node.System.WithDeviceNode("bolt0");

        var result = await node.Installer().RestoreAsync(cancellationToken: TestContext.Current.CancellationToken);

        result.Restored.Select(p => $"{p.Id}/{p.Version}").Should().BeEquivalentTo("Sgl.Platform.Acme/1.0.0", "Sgl.Platform.Bolt/1.0.0");
        File.ReadAllText(node.LockFilePath).Should().Be(pinned);
        node.Installer().ListInstalled().Should().OnlyContain(p => p.Problem == null);
        node.Resolve().Selected.Should().Be("bolt");
        (await node.Installer().RestoreAsync(cancellationToken: TestContext.Current.CancellationToken)).AlreadyInPlace.Should().HaveCount(2, "a second restore finds everything in place");
    }

    [Fact]
    public async Task Two_installs_into_one_home_at_once_are_serialized_and_both_end_up_pinned()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme");
        s.Feed.AddPlugin("Sgl.Platform.Bolt", "bolt");

        await Task.WhenAll(
            Task.Run(() => s.InstallAsync("Sgl.Platform.Acme")),
            Task.Run(() => s.InstallAsync("Sgl.Platform.Bolt")));

        var installed = s.Installer().ListInstalled();
        installed.Select(p => p.Id).Should().BeEquivalentTo("Sgl.Platform.Acme", "Sgl.Platform.Bolt");
        installed.Should().OnlyContain(p => p.Problem == null);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Installed_folders_are_writable_by_their_owner_only_whatever_the_umask()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme");

        var installed = await s.InstallAsync("Sgl.Platform.Acme");

        foreach (var path in Directory.EnumerateFileSystemEntries(installed.Directory, "*", SearchOption.AllDirectories).Append(installed.Directory))
        {
            (File.GetUnixFileMode(path) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)).Should().Be(UnixFileMode.None);
        }
    }
}
