using Sgl.Platforms.Installer.Tests.Support;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Installer.Tests;

/// <summary>
/// Install judges a plugin with the host's own rules, so what install accepts the next start accepts, and
/// <c>sgl platforms list --installed</c> exiting 0 means exactly that.
/// </summary>
public sealed class InstallValidationTests
{
    public static TheoryData<string, string, string> Refused => new()
    {
        { "CUDA", "Oot", "is not a lowercase id" },
        { "cuda", "Oot", "is reserved for the built-in platform" },
        { "\u0430cme", "Oot", "is not a lowercase id" }, // a Cyrillic 'а' that looks like 'a'
        { new string('a', 10_000), "Oot", "is not a lowercase id" },
        { "acme", "Cuda", "vendor platforms must use Kind = PlatformEnum.Oot" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_plugin_the_host_would_refuse_is_refused_at_install_with_the_hosts_words(string name, string kind, string words)
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Base", "base");
        await s.InstallAsync("Sgl.Platform.Base");
        var before = s.Snapshot();
        s.Feed.AddPlugin("Sgl.Platform.Odd", name, kind: kind);

        var thrown = await FluentActions.Awaiting(() => s.InstallAsync("Sgl.Platform.Odd")).Should().ThrowAsync<PluginInstallException>();

        thrown.Which.Error.Should().Be(PluginInstallError.RejectedByHost, thrown.Which.Message);
        thrown.Which.Message.Should().Contain("Sgl.Platform.Odd").And.Contain(words);
        s.Snapshot().Should().Equal(before);
    }

    [Fact]
    public async Task A_second_package_exporting_an_installed_platform_name_is_refused_naming_the_installed_one()
    {
        using var s = await AcmeInstalledAndAForkOfItOnTheFeedAsync();
        var before = s.Snapshot();

        var thrown = await FluentActions.Awaiting(() => s.InstallAsync("Sgl.Platform.AcmeFork")).Should().ThrowAsync<PluginInstallException>();

        thrown.Which.Error.Should().Be(PluginInstallError.RejectedByHost, thrown.Which.Message);
        thrown.Which.Message.Should().Contain("'acme'").And.Contain("Sgl.Platform.Acme 1.0.0").And.Contain("sgl platforms remove Sgl.Platform.Acme");
        s.Snapshot().Should().Equal(before);
    }

    [Fact]
    public async Task List_installed_exits_0_only_when_the_next_start_accepts_every_plugin()
    {
        // Two homes each accept their plugin; merged (as an older installer allowed), the start refuses both.
        using var s = await AcmeInstalledAndAForkOfItOnTheFeedAsync();
        using var other = new InstallScenario();
        other.UseSources(("local", s.Feed.Folder));
        await other.InstallAsync("Sgl.Platform.AcmeFork");
        CopyDirectory(Path.Combine(other.Home, "sgl.platform.acmefork"), Path.Combine(s.Home, "sgl.platform.acmefork"));
        var fork = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(other.LockFilePath))!["plugins"]![0]!.DeepClone();
        s.EditLock(json => json["plugins"]!.AsArray().Add(fork));

        s.Resolve("cpu").Candidates.Where(c => c.Name == "acme").Should().HaveCount(2).And.OnlyContain(c => c.Status == CandidateStatus.Rejected);
        var listed = await SglCli.RunAsync(s, "platforms", "list", "--installed");

        listed.ExitCode.Should().Be(3, listed.Output);
        listed.Output.Should().Contain("Platform name 'acme' is exported by");
        s.Installer().ListInstalled().Should().OnlyContain(p => p.Problem != null && p.Problem.Contains("'acme'"));
    }

    /// <summary>Sgl.Platform.Acme (platform 'acme') installed, and Sgl.Platform.AcmeFork, exporting 'acme' too, on the feed.</summary>
    private static async Task<InstallScenario> AcmeInstalledAndAForkOfItOnTheFeedAsync()
    {
        var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme");
        s.Feed.AddPlugin("Sgl.Platform.AcmeFork", "acme");
        await s.InstallAsync("Sgl.Platform.Acme");
        return s;
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories).Prepend(from))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }

        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }
}
