using Sgl.Platforms.Installer.Tests.Support;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Installer.Tests;

/// <summary>Every fault ends in a typed error that says what to do, and leaves the home exactly as it was.</summary>
public sealed class FaultTests
{
    [Fact]
    public async Task An_unknown_package_is_reported_with_the_sources_searched()
    {
        using var s = new InstallScenario();
        var before = await InstallBaselineAsync(s);

        var error = await Failing(s.InstallAsync("Sgl.Platform.Nope"), PluginInstallError.PackageNotFound);

        error.Message.Should().Contain("'Sgl.Platform.Nope'").And.Contain("'local'");
        s.Snapshot().Should().Equal(before);
    }

    [Fact]
    public async Task A_missing_version_lists_the_versions_there_are()
    {
        using var s = new InstallScenario();
        var before = await InstallBaselineAsync(s);

        var error = await Failing(s.InstallAsync("Sgl.Platform.Base", "7.0.0"), PluginInstallError.VersionNotFound);

        error.Message.Should().Contain("7.0.0").And.Contain("available: 1.0.0").And.Contain("--version");
        s.Snapshot().Should().Equal(before);
    }

    [Fact]
    public async Task A_package_without_a_platform_export_is_refused()
    {
        using var s = new InstallScenario();
        var before = await InstallBaselineAsync(s);
        s.Feed.Add("Acme.Tools", "1.0.0", [("lib/net10.0/Acme.Tools.dll", TestAssemblies.NotAPlugin("Acme.Tools"))]);

        var error = await Failing(s.InstallAsync("Acme.Tools"), PluginInstallError.NotAPlatformPlugin);

        error.Message.Should().Contain("no assembly that exports a Platform");
        s.Snapshot().Should().Equal(before);
    }

    [Fact]
    public async Task A_plugin_built_for_another_contract_major_is_refused_with_both_versions()
    {
        using var s = new InstallScenario();
        var before = await InstallBaselineAsync(s);
        s.Feed.AddPlugin("Sgl.Platform.Future", "future", futureContract: true);

        var error = await Failing(s.InstallAsync("Sgl.Platform.Future"), PluginInstallError.IncompatibleContract);

        error.Message.Should().Contain("2.0.0.0").And.Contain("contract 1.x");
        s.Snapshot().Should().Equal(before);
    }

    [Fact]
    public async Task An_unsigned_package_is_refused_when_NuGet_config_requires_signatures()
    {
        using var s = new InstallScenario();
        var before = await InstallBaselineAsync(s);
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme");
        s.WriteNuGetConfig([("local", s.Feed.Folder)], """<config><add key="signatureValidationMode" value="require" /></config>""");

        var error = await Failing(s.InstallAsync("Sgl.Platform.Acme"), PluginInstallError.SignatureRejected);

        error.Message.Should().Contain("not signed").And.Contain("signatureValidationMode").And.Contain("require");
        s.Snapshot().Should().Equal(before);
    }

    [Fact]
    public async Task A_package_whose_entries_escape_the_folder_is_refused_and_nothing_is_written_outside()
    {
        using var s = new InstallScenario();
        var before = await InstallBaselineAsync(s);
        var nupkg = s.Feed.AddPlugin("Sgl.Platform.Evil", "evil");
        TestFeed.AddRawEntry(nupkg, "lib/net10.0/../../../../escaped.dll", [1, 2, 3]);

        var error = await Failing(s.InstallAsync("Sgl.Platform.Evil"), PluginInstallError.UnsafePackage);

        error.Message.Should().Contain("escaped.dll").And.Contain("outside the plugin folder");
        Directory.EnumerateFiles(s.Root, "escaped.dll", SearchOption.AllDirectories).Should().BeEmpty();
        File.Exists(Path.Combine(Path.GetDirectoryName(s.Root)!, "escaped.dll")).Should().BeFalse();
        s.Snapshot().Should().Equal(before);
    }

    [Theory]
    [InlineData(InstallFaultPoint.AfterStaging)]
    [InlineData(InstallFaultPoint.BeforeLockCommit)]
    internal async Task An_install_killed_halfway_leaves_the_previous_install_and_lock_in_force(InstallFaultPoint point)
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme", "1.0.0");
        await s.InstallAsync("Sgl.Platform.Acme");
        var lockBefore = File.ReadAllText(s.LockFilePath);
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme", "2.0.0");
        s.System.WithDeviceNode("acme0");
        var installer = s.Installer();
        // An exception the installer does not expect is handled as a crash would be: nothing rolled back.
        installer.FaultInjection = p => p == point ? throw new InvalidOperationException($"simulated crash at {p}") : Task.CompletedTask;

        await FluentActions.Awaiting(() => installer.InstallAsync(new PluginInstallRequest("Sgl.Platform.Acme"), cancellationToken: TestContext.Current.CancellationToken)).Should().ThrowAsync<InvalidOperationException>();

        File.ReadAllText(s.LockFilePath).Should().Be(lockBefore);
        var report = s.Resolve();
        report.Selected.Should().Be("acme");
        report.Candidates.Single(c => c.Name == "acme").Version.Should().StartWith("1.0.0");

        // The next operation clears what the crash left and installs normally.
        (await s.InstallAsync("Sgl.Platform.Acme")).Version.Should().Be("2.0.0");
        Directory.GetDirectories(Path.Combine(s.Home, "sgl.platform.acme")).Select(Path.GetFileName).Should().Equal("2.0.0");
        Directory.EnumerateFileSystemEntries(Path.Combine(s.Home, ".staging")).Should().BeEmpty();
    }

    [Fact]
    public async Task Restore_refuses_a_feed_that_serves_different_content_under_a_pinned_version()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme");
        await s.InstallAsync("Sgl.Platform.Acme");
        Directory.Delete(Path.Combine(s.Home, "sgl.platform.acme", "1.0.0"), recursive: true);
        s.Feed.Add("Sgl.Platform.Acme", "1.0.0", [("lib/net10.0/Sgl.Platform.Acme.dll", TestAssemblies.Platform("Sgl.Platform.Acme", "acme", version: "6.6.6.6"))]);
        var before = s.Snapshot();

        var error = await Failing(s.Installer().RestoreAsync(cancellationToken: TestContext.Current.CancellationToken), PluginInstallError.HashMismatch);

        error.Message.Should().Contain("Sgl.Platform.Acme").And.Contain("pins").And.Contain("same version");
        s.Snapshot().Should().Equal(before);
    }

    [Fact]
    public async Task A_source_that_NuGet_config_does_not_list_or_map_is_refused()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme");
        var installer = s.Installer();

        var unlisted = await Failing(installer.InstallAsync(new PluginInstallRequest("Sgl.Platform.Acme") { Source = "/somewhere/else" }, cancellationToken: TestContext.Current.CancellationToken), PluginInstallError.SourceNotAllowed);
        unlisted.Message.Should().Contain("not a package source in NuGet.config").And.Contain("dotnet nuget add source");

        s.WriteNuGetConfig([("local", s.Feed.Folder), ("other", Directory.CreateDirectory(Path.Combine(s.Root, "other")).FullName)], """
            <packageSourceMapping>
              <packageSource key="other"><package pattern="Sgl.Platform.*" /></packageSource>
              <packageSource key="local"><package pattern="Acme.*" /></packageSource>
            </packageSourceMapping>
            """);
        var unmapped = await Failing(installer.InstallAsync(new PluginInstallRequest("Sgl.Platform.Acme") { Source = "local" }, cancellationToken: TestContext.Current.CancellationToken), PluginInstallError.SourceNotAllowed);
        unmapped.Message.Should().Contain("packageSourceMapping");
        (await Failing(installer.InstallAsync(new PluginInstallRequest("Sgl.Platform.Acme"), cancellationToken: TestContext.Current.CancellationToken), PluginInstallError.PackageNotFound))
            .Message.Should().Contain("'other'").And.NotContain("'local'", "mapping sends Sgl.Platform.* only to 'other'");
    }

    private static async Task<Dictionary<string, string>> InstallBaselineAsync(InstallScenario s)
    {
        s.Feed.AddPlugin("Sgl.Platform.Base", "base");
        await s.InstallAsync("Sgl.Platform.Base");
        return s.Snapshot();
    }

    private static async Task<PluginInstallException> Failing<T>(Task<T> operation, PluginInstallError expected)
    {
        var thrown = await FluentActions.Awaiting(() => operation).Should().ThrowAsync<PluginInstallException>();
        thrown.Which.Error.Should().Be(expected, thrown.Which.Message);
        return thrown.Which;
    }
}
