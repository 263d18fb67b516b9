using System.Runtime.Versioning;
using System.Security.Cryptography;
using Sgl.Platforms.Installer.Tests.Support;

namespace Sgl.Platforms.Installer.Tests;

/// <summary>Packages have expansion limits, and a full disk or a failing write ends in a message with the home intact.</summary>
public sealed class PackageLimitTests
{
    [Fact]
    public async Task A_package_that_expands_a_hundred_fold_is_refused_by_default_and_the_limit_can_be_raised()
    {
        using var s = new InstallScenario();
        var before = await BaselineAsync(s);
        s.Feed.Add("Sgl.Platform.Bomb", "1.0.0",
        [
            ("lib/net10.0/Sgl.Platform.Bomb.dll", TestAssemblies.Platform("Sgl.Platform.Bomb", "bomb")),
            ("lib/net10.0/padding.bin", new byte[48 << 20]),
        ]);

        var thrown = await FluentActions.Awaiting(() => s.InstallAsync("Sgl.Platform.Bomb")).Should().ThrowAsync<PluginInstallException>();

        thrown.Which.Error.Should().Be(PluginInstallError.PackageTooLarge, thrown.Which.Message);
        thrown.Which.Message.Should().Contain("Sgl.Platform.Bomb 1.0.0").And.Contain("padding.bin").And.Contain("SGL_PACKAGE_MAX_RATIO");
        s.Snapshot().Should().Equal(before);

        var raised = s.Installer(new PackageLimits { MaxCompressionRatio = 10_000 });
        (await raised.InstallAsync(new PluginInstallRequest("Sgl.Platform.Bomb"), cancellationToken: TestContext.Current.CancellationToken)).Platforms.Should().Equal("bomb");
    }

    public static TheoryData<string, string> Limits => new()
    {
        { nameof(PackageLimits.MaxDownloadBytes), "SGL_PACKAGE_MAX_DOWNLOAD_MB" },
        { nameof(PackageLimits.MaxExpandedBytes), "SGL_PACKAGE_MAX_EXPANDED_MB" },
        { nameof(PackageLimits.MaxEntries), "SGL_PACKAGE_MAX_ENTRIES" },
    };

    [Theory]
    [MemberData(nameof(Limits))]
    public async Task Each_limit_refuses_a_package_beyond_it_naming_the_setting(string limit, string variable)
    {
        using var s = new InstallScenario();
        var before = await BaselineAsync(s);
        s.Feed.Add("Sgl.Platform.Big", "1.0.0",
        [
            ("lib/net10.0/Sgl.Platform.Big.dll", TestAssemblies.Platform("Sgl.Platform.Big", "big")),
            ("lib/net10.0/a.bin", RandomNumberGenerator.GetBytes(300 << 10)),
            ("lib/net10.0/b.bin", RandomNumberGenerator.GetBytes(300 << 10)),
        ]);
        var limits = limit switch
        {
            nameof(PackageLimits.MaxDownloadBytes) => new PackageLimits { MaxDownloadBytes = 256 << 10 },
            nameof(PackageLimits.MaxExpandedBytes) => new PackageLimits { MaxExpandedBytes = 512 << 10 },
            _ => new PackageLimits { MaxEntries = 4 },
        };

        var thrown = await FluentActions.Awaiting(() => s.Installer(limits).InstallAsync(new PluginInstallRequest("Sgl.Platform.Big"), cancellationToken: TestContext.Current.CancellationToken))
            .Should().ThrowAsync<PluginInstallException>();

        thrown.Which.Error.Should().Be(PluginInstallError.PackageTooLarge, thrown.Which.Message);
        thrown.Which.Message.Should().Contain("Sgl.Platform.Big 1.0.0").And.Contain(variable);
        s.Snapshot().Should().Equal(before);
        (await s.InstallAsync("Sgl.Platform.Big")).Platforms.Should().Equal(["big"], "the defaults allow an ordinary package");
    }

    [Fact]
    public async Task Through_sgl_the_limits_are_read_from_the_environment_and_garbage_there_exits_2()
    {
        using var s = new InstallScenario();
        s.Feed.Add("Sgl.Platform.Big", "1.0.0",
        [
            ("lib/net10.0/Sgl.Platform.Big.dll", TestAssemblies.Platform("Sgl.Platform.Big", "big")),
            ("lib/net10.0/a.bin", RandomNumberGenerator.GetBytes(1200 << 10)),
        ]);

        var refused = await SglCli.RunAsync(s, new Dictionary<string, string?> { ["SGL_PACKAGE_MAX_EXPANDED_MB"] = "1" }, "platforms", "install", "Sgl.Platform.Big");
        refused.ExitCode.Should().Be(3, refused.Output);
        refused.Error.Should().Contain("SGL_PACKAGE_MAX_EXPANDED_MB");

        var garbage = await SglCli.RunAsync(s, new Dictionary<string, string?> { ["SGL_PACKAGE_MAX_ENTRIES"] = "lots" }, "platforms", "install", "Sgl.Platform.Big");
        garbage.ExitCode.Should().Be(2, garbage.Output);
        garbage.Error.Should().Contain("SGL_PACKAGE_MAX_ENTRIES").And.Contain("'lots'");
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task A_full_disk_ends_in_exit_3_with_the_cause_and_the_previous_install_intact()
    {
        using var s = new InstallScenario();
        using var disk = SmallFileSystem.Mount(s.Home, kibibytes: 1024);
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme");
        s.System.WithDeviceNode("acme0");
        (await SglCli.RunAsync(s, "platforms", "install", "Sgl.Platform.Acme")).ExitCode.Should().Be(0);
        s.Feed.Add("Sgl.Platform.Acme", "2.0.0",
        [
            ("lib/net10.0/Sgl.Platform.Acme.dll", TestAssemblies.Platform("Sgl.Platform.Acme", "acme")),
            ("lib/net10.0/weights.bin", RandomNumberGenerator.GetBytes(600 << 10)), // the download fits, its extraction does not
        ]);
        var before = s.Snapshot();

        var result = await SglCli.RunAsync(s, "platforms", "install", "Sgl.Platform.Acme");

        result.ExitCode.Should().Be(3, result.Output);
        result.Error.Should().StartWith("error: ").And.Contain("No space left on device").And.Contain(s.Home).And.NotContain("Unhandled exception");
        s.Snapshot().Should().Equal(before);
        s.Resolve().Selected.Should().Be("acme");
        Directory.EnumerateFileSystemEntries(Path.Combine(s.Home, ".staging")).Should().BeEmpty("what the failed install wrote is removed");
    }

    private static async Task<Dictionary<string, string>> BaselineAsync(InstallScenario s)
    {
        s.Feed.AddPlugin("Sgl.Platform.Base", "base");
        await s.InstallAsync("Sgl.Platform.Base");
        return s.Snapshot();
    }
}
