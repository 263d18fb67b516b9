using Sgl.Platforms.Installer.Tests.Support;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Installer.Tests;

/// <summary>Installs from a real NuGet V3 HTTP feed (Kestrel on 127.0.0.1) that requires basic authentication.</summary>
public sealed class HttpFeedTests
{
    [Fact]
    public async Task Installs_with_the_credentials_from_NuGet_config_and_reports_download_progress()
    {
        using var s = new InstallScenario();
        s.Feed.AddLibrary("Acme.Dep.A");
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme", dependencies: [("Acme.Dep.A", "1.0.0")]);
        await using var server = await HttpFeedServer.StartAsync(s.Feed.Folder);
        UseHttpFeed(s, server, withCredentials: true);
        s.System.WithDeviceNode("acme0");
        var progress = new List<PackageDownloadProgress>();

        var installed = await s.Installer().InstallAsync(new PluginInstallRequest("Sgl.Platform.Acme"), new SynchronousProgress(progress), TestContext.Current.CancellationToken);

        installed.Source.Should().Be(server.IndexUrl);
        installed.Dependencies.Should().Equal("Acme.Dep.A/1.0.0");
        progress.Where(p => p.Completed).Select(p => p.PackageId).Should().BeEquivalentTo("Sgl.Platform.Acme", "Acme.Dep.A");
        progress.Where(p => p.Completed).Should().OnlyContain(p => p.BytesReceived > 0);
        var report = s.Resolve();
        report.Selected.Should().Be("acme");
        report.Candidates.Single(c => c.Name == "acme").Source.Should().Be(CandidateSource.Installed);
    }

    [Fact]
    public async Task Without_credentials_the_feed_refusal_names_packageSourceCredentials()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme");
        await using var server = await HttpFeedServer.StartAsync(s.Feed.Folder);
        UseHttpFeed(s, server, withCredentials: false);

        var thrown = await FluentActions.Awaiting(() => s.InstallAsync("Sgl.Platform.Acme")).Should().ThrowAsync<PluginInstallException>();

        thrown.Which.Error.Should().Be(PluginInstallError.FeedFailed);
        thrown.Which.Message.Should().Contain("packageSourceCredentials");
    }

    [Fact]
    public async Task Plain_http_is_refused_unless_the_source_allows_insecure_connections()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme");
        await using var server = await HttpFeedServer.StartAsync(s.Feed.Folder);
        UseHttpFeed(s, server, withCredentials: true, allowInsecure: false);

        var thrown = await FluentActions.Awaiting(() => s.InstallAsync("Sgl.Platform.Acme")).Should().ThrowAsync<PluginInstallException>();

        thrown.Which.Error.Should().Be(PluginInstallError.SourceNotAllowed);
        thrown.Which.Message.Should().Contain("plain HTTP").And.Contain("allowInsecureConnections");
    }

    [Fact]
    public async Task The_feed_going_down_mid_download_is_a_clear_error_and_the_previous_install_stays()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme", "1.0.0");
        await using var server = await HttpFeedServer.StartAsync(s.Feed.Folder);
        UseHttpFeed(s, server, withCredentials: true);
        await s.InstallAsync("Sgl.Platform.Acme");
        var before = s.Snapshot();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme", "2.0.0");
        server.AbortDownloadsAfter = 1;

        var thrown = await FluentActions.Awaiting(() => s.InstallAsync("Sgl.Platform.Acme")).Should().ThrowAsync<PluginInstallException>();

        thrown.Which.Error.Should().Be(PluginInstallError.FeedFailed, thrown.Which.Message);
        thrown.Which.Message.Should().Contain("downloading Sgl.Platform.Acme 2.0.0").And.Contain("Nothing was changed");
        s.Snapshot().Should().Equal(before);
        s.Installer().ListInstalled().Single().Should().Match<InstalledPlugin>(p => p.Version == "1.0.0" && p.Problem == null);
    }

    private static void UseHttpFeed(InstallScenario s, HttpFeedServer server, bool withCredentials, bool allowInsecure = true) =>
        s.WriteNuGetConfig([("secure-feed", server.IndexUrl)], withCredentials
            ? $"""
              <packageSourceCredentials>
                <secure-feed>
                  <add key="Username" value="{HttpFeedServer.User}" />
                  <add key="ClearTextPassword" value="{HttpFeedServer.Password}" />
                </secure-feed>
              </packageSourceCredentials>
              """
            : "", insecure: allowInsecure ? ["secure-feed"] : []);

    /// <summary>Records progress on the reporting thread (Progress&lt;T&gt; would post later, racing the assertions).</summary>
    private sealed class SynchronousProgress(List<PackageDownloadProgress> seen) : IProgress<PackageDownloadProgress>
    {
        public void Report(PackageDownloadProgress value)
        {
            lock (seen)
            {
                seen.Add(value);
            }
        }
    }
}
