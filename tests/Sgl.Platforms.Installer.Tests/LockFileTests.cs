using System.Text.Json.Nodes;
using Sgl.Platforms.Installer.Tests.Support;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Installer.Tests;

/// <summary>
/// A lock file edited by hand, damaged, or tampered with is one clear report at start and in every command,
/// and no path it names can lead an operation outside the plugins home.
/// </summary>
public sealed class LockFileTests
{
    /// <summary>Each case: what the edit does to a real lock file, and the field the report must name.</summary>
    public static TheoryData<string, string> Damaged => new()
    {
        { "file listed twice", "plugins[0].files[2].path" },
        { "null id", "plugins[0].id" },
        { "null file entry", "plugins[0].files[0]" },
        { "null platforms", "plugins[0].platforms" },
        { "unparsable version", "plugins[0].version" },
        { "plugin listed twice", "plugins[1].id" },
        { "hash that is not base64", "plugins[0].files[0].sha512" },
        { "missing package hash", "plugins[0]" },
        { "lock version as text", "version" },
        { "null plugins", "plugins" },
        { "unparsable dependency version", "plugins[0].dependencies[0].version" },
        { "property written twice", "version" },
        { "platform name that is not a platform name", "plugins[0].platforms[0]" },
    };

    /// <summary>Entries whose paths would lead outside the home: tampering, refused with the entry named.</summary>
    public static TheoryData<string, string> Escaping => new()
    {
        { "version ../../outside", "plugins[0].version" },
        { "id ../outside", "plugins[0].id" },
        { "file ../../../outside/f", "plugins[0].files[0].path" },
        { "assembly /etc/evil.dll", "plugins[0].assemblies[0]" },
    };

    [Theory]
    [MemberData(nameof(Damaged))]
    [MemberData(nameof(Escaping))]
    public async Task A_damaged_or_tampered_lock_file_is_one_report_at_start_and_in_every_command_and_nothing_outside_the_home_is_touched(string damage, string field)
    {
        using var s = new InstallScenario();
        s.Feed.AddLibrary("Acme.Dep.A");
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme", dependencies: [("Acme.Dep.A", "1.0.0")]);
        s.Feed.AddPlugin("Sgl.Platform.Bolt", "bolt");
        await s.InstallAsync("Sgl.Platform.Acme");
        s.System.WithDeviceNode("acme0");
        var outside = Path.Combine(s.Root, "outside");
        foreach (var folder in new[] { outside, Path.Combine(outside, "1.0.0") })
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "keep.txt"), "not the installer's");
        }

        if (damage == "property written twice")
        {
            File.WriteAllText(s.LockFilePath, File.ReadAllText(s.LockFilePath).Replace("\"version\": 1,", "\"version\": 1, \"version\": 2,", StringComparison.Ordinal));
        }
        else
        {
            s.EditLock(json => Damage(json, damage));
        }

        var before = s.Snapshot();

        var report = s.Resolve();

        var row = report.Candidates.Should().ContainSingle(c => c.Source == CandidateSource.Installed).Subject;
        row.Status.Should().Be(CandidateStatus.Rejected);
        row.Reason.Should().Contain(s.LockFilePath).And.Contain(field).And.Contain("sgl platforms restore").And.Contain("No installed plugin was loaded");
        report.Selected.Should().BeNull("a plugin that cannot be loaded blocks the silent CPU fallback");
        s.Resolve("cpu").Selected.Should().Be("cpu");

        var installer = s.Installer();
        var token = TestContext.Current.CancellationToken;
        foreach (var command in new Func<Task>[]
        {
            () => installer.InstallAsync(new PluginInstallRequest("Sgl.Platform.Acme"), cancellationToken: token),
            () => installer.InstallAsync(new PluginInstallRequest("Sgl.Platform.Bolt"), cancellationToken: token),
            () => installer.RemoveAsync("Sgl.Platform.Acme", token),
            () => installer.RestoreAsync(cancellationToken: token),
            () => Task.FromResult(installer.ListInstalled()),
        })
        {
            var thrown = await FluentActions.Awaiting(command).Should().ThrowAsync<PluginInstallException>();
            thrown.Which.Error.Should().Be(PluginInstallError.InvalidLockFile, thrown.Which.Message);
            thrown.Which.Message.Should().Contain(s.LockFilePath).And.Contain(field);
        }

        File.Exists(Path.Combine(outside, "keep.txt")).Should().BeTrue("nothing outside the home is ever deleted");
        File.Exists(Path.Combine(outside, "1.0.0", "keep.txt")).Should().BeTrue();
        s.Snapshot().Should().Equal(before);
    }

    [Fact]
    public async Task Through_sgl_a_damaged_lock_file_exits_with_a_message_and_never_an_unhandled_exception()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme");
        await s.InstallAsync("Sgl.Platform.Acme");
        s.EditLock(json => Damage(json, "file listed twice"));

        var list = await SglCli.RunAsync(s, "platforms", "list");
        list.ExitCode.Should().Be(1, list.Error);
        list.Error.Should().Contain(s.LockFilePath).And.NotContain("Unhandled exception");
        list.Output.Should().Contain("plugins[0].files[1].path");

        foreach (var command in new[] { new[] { "platforms", "list", "--installed" }, ["platforms", "install", "Sgl.Platform.Acme"], ["platforms", "remove", "Sgl.Platform.Acme"], ["platforms", "restore"] })
        {
            var result = await SglCli.RunAsync(s, command);
            result.ExitCode.Should().Be(3, $"{string.Join(' ', command)}: {result.Error}");
            result.Error.Should().StartWith("error: ").And.Contain(s.LockFilePath).And.Contain("plugins[0].files[1].path").And.NotContain("Unhandled exception");
        }
    }

    private static void Damage(JsonObject json, string damage)
    {
        var plugins = json["plugins"]!.AsArray();
        var plugin = plugins[0]!.AsObject();
        var files = plugin["files"]!.AsArray();
        switch (damage)
        {
            case "file listed twice":
                files.Add(files[0]!.DeepClone());
                break;
            case "null id":
                plugin["id"] = null;
                break;
            case "null file entry":
                files[0] = null;
                break;
            case "null platforms":
                plugin["platforms"] = null;
                break;
            case "unparsable version":
                plugin["version"] = "1.x";
                break;
            case "plugin listed twice":
                plugins.Add(plugin.DeepClone());
                break;
            case "hash that is not base64":
                files[0]!["sha512"] = "not base64!";
                break;
            case "missing package hash":
                plugin.Remove("sha512");
                break;
            case "lock version as text":
                json["version"] = "1";
                break;
            case "null plugins":
                json["plugins"] = null;
                break;
            case "unparsable dependency version":
                plugin["dependencies"]![0]!["version"] = "[1.0";
                break;
            case "platform name that is not a platform name":
                plugin["platforms"]![0] = "Acme Corp";
                break;
            case "version ../../outside":
                plugin["version"] = "../../outside";
                break;
            case "id ../outside":
                plugin["id"] = "../outside";
                break;
            case "file ../../../outside/f":
                files[0]!["path"] = "../../../outside/f";
                break;
            case "assembly /etc/evil.dll":
                plugin["assemblies"]![0] = "/etc/evil.dll";
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage, "unknown damage");
        }
    }
}
