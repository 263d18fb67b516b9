using System.Runtime.Versioning;
using Sgl.Platforms.Discovery;
using Sgl.Platforms.Installer.Tests.Support;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Installer.Tests;

/// <summary>
/// Ownership and modes in the manner of OpenSSH's StrictModes: what another local user could have written
/// is refused, with the path and the chmod or chown that fixes it. Tests run as root, so "another user" is
/// a uid root gives files to with chown.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class HomeTrustTests
{
    private const UnixFileMode WorldWritable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [Fact]
    public async Task A_home_writable_by_others_refuses_its_plugins_by_name_and_refuses_installs_with_the_chmod_that_fixes_it()
    {
        using var s = await InstalledAcmeAsync();
        File.SetUnixFileMode(s.Home, WorldWritable);

        var report = s.Resolve();

        var acme = report.Candidates.Single(c => c.Name == "acme");
        acme.Status.Should().Be(CandidateStatus.Rejected);
        acme.Reason.Should().Contain($"'{s.Home}'").And.Contain("writable by group or others").And.Contain($"chmod go-w '{s.Home}'");
        report.Selected.Should().BeNull("a refused plugin blocks the silent CPU fallback");
        var thrown = await FluentActions.Awaiting(() => s.InstallAsync("Sgl.Platform.Acme")).Should().ThrowAsync<PluginInstallException>();
        thrown.Which.Error.Should().Be(PluginInstallError.UnsafeHome);
        thrown.Which.Message.Should().Contain($"chmod go-w '{s.Home}'");
        s.Installer().ListInstalled().Single().Problem.Should().Contain("chmod go-w");

        File.SetUnixFileMode(s.Home, WorldWritable & ~(UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
        s.Resolve().Selected.Should().Be("acme");
    }

    [Fact]
    public async Task A_lock_file_writable_by_others_is_refused()
    {
        using var s = await InstalledAcmeAsync();
        File.SetUnixFileMode(s.LockFilePath, File.GetUnixFileMode(s.LockFilePath) | UnixFileMode.GroupWrite);

        var acme = s.Resolve().Candidates.Single(c => c.Name == "acme");

        acme.Status.Should().Be(CandidateStatus.Rejected);
        acme.Reason.Should().Contain($"chmod go-w '{s.LockFilePath}'");
    }

    [Theory]
    [InlineData("folder")]
    [InlineData("file")]
    [InlineData("lock")]
    [InlineData("home")]
    public async Task What_another_user_owns_is_refused_with_the_chown_that_fixes_it(string what)
    {
        using var s = await InstalledAcmeAsync();
        var folder = Path.Combine(s.Home, "sgl.platform.acme", "1.0.0");
        var path = what switch
        {
            "folder" => folder,
            "file" => Path.Combine(folder, "Sgl.Platform.Acme.dll"),
            "lock" => s.LockFilePath,
            _ => s.Home,
        };
        InstallScenario.Chown(path, 4321);

        var acme = s.Resolve().Candidates.Single(c => c.Name == "acme");

        acme.Status.Should().Be(CandidateStatus.Rejected);
        acme.Reason.Should().Contain($"'{path}'").And.Contain("owned by uid 4321").And.Contain("chown");
        s.Installer().ListInstalled().Single().Problem.Should().Contain("owned by uid 4321");
    }

    [Fact]
    public async Task A_symlinked_home_is_judged_at_its_real_location_whose_parents_are_checked()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme");
        s.System.WithDeviceNode("acme0");
        var shared = Directory.CreateDirectory(Path.Combine(s.Root, "shared")).FullName;
        var real = Directory.CreateDirectory(Path.Combine(shared, "plugins")).FullName;
        Directory.CreateSymbolicLink(s.Home, real);
        await s.InstallAsync("Sgl.Platform.Acme");
        s.Resolve().Selected.Should().Be("acme");

        // Another user could now rename the real home away and put their own in its place.
        File.SetUnixFileMode(shared, WorldWritable);

        var acme = s.Resolve().Candidates.Single(c => c.Name == "acme");
        acme.Status.Should().Be(CandidateStatus.Rejected);
        acme.Reason.Should().Contain($"'{shared}'").And.Contain($"chmod go-w '{shared}'");
        (await FluentActions.Awaiting(() => s.InstallAsync("Sgl.Platform.Acme")).Should().ThrowAsync<PluginInstallException>())
            .Which.Message.Should().Contain($"'{shared}'");

        // The sticky bit (as on /tmp) lets no one rename another user's entries: that parent is safe.
        File.SetUnixFileMode(shared, WorldWritable | UnixFileMode.StickyBit);
        s.Resolve().Selected.Should().Be("acme");
    }

    [Fact]
    public async Task A_symlink_inside_a_plugin_folder_is_refused()
    {
        using var s = await InstalledAcmeAsync();
        var folder = Path.Combine(s.Home, "sgl.platform.acme", "1.0.0");
        var dll = Path.Combine(folder, "Sgl.Platform.Acme.dll");
        var elsewhere = Path.Combine(s.Root, "elsewhere.dll");
        File.Move(dll, elsewhere);
        File.CreateSymbolicLink(dll, elsewhere);

        var acme = s.Resolve().Candidates.Single(c => c.Name == "acme");

        acme.Status.Should().Be(CandidateStatus.Rejected);
        acme.Reason.Should().Contain($"'{dll}'").And.Contain("symbolic link");
    }

    [Fact]
    public void The_owner_rule_accepts_the_current_user_and_root_and_no_one_else()
    {
        var folder = Directory.CreateTempSubdirectory("sgl-trust-").FullName;
        try
        {
            var asAlice = new HomeTrust(currentUserId: 1000);
            InstallScenario.Chown(folder, 1000);
            asAlice.CheckOwnedAndPrivate(folder).Should().BeNull();
            InstallScenario.Chown(folder, 0);
            asAlice.CheckOwnedAndPrivate(folder).Should().BeNull("root may own what any user trusts");
            InstallScenario.Chown(folder, 1001);
            asAlice.CheckOwnedAndPrivate(folder).Should().Contain("owned by uid 1001").And.Contain($"chown 1000 '{folder}'");
        }
        finally
        {
            Directory.Delete(folder);
        }
    }

    private static async Task<InstallScenario> InstalledAcmeAsync()
    {
        var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme");
        s.System.WithDeviceNode("acme0");
        await s.InstallAsync("Sgl.Platform.Acme");
        s.Resolve().Selected.Should().Be("acme");
        return s;
    }
}
