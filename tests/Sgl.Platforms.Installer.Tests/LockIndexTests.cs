using System.Text.Json.Nodes;
using Sgl.Platforms.Installer.Tests.Support;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Installer.Tests;

/// <summary>
/// The lock file's index (each platform's name, kind, priority, contract and hardware rules, written at install) lets a
/// start leave a plugin whose hardware is absent unverified and unopened; where the plugin is opened, its assembly wins.
/// </summary>
public sealed class LockIndexTests
{
    private const string Rules = "[HardwareMatch(DeviceNodes = [\"acme*\"])]";

    [Fact]
    public async Task Install_writes_what_each_platform_declares_into_the_lock_files_index()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme", attributes: Rules);
        await s.InstallAsync("Sgl.Platform.Acme");

        var entry = JsonNode.Parse(File.ReadAllText(s.LockFilePath))!["plugins"]![0]!["index"]!.AsArray().Single()!;

        entry["name"]!.GetValue<string>().Should().Be("acme");
        entry["kind"]!.GetValue<string>().Should().Be("Oot");
        entry["priority"]!.GetValue<int>().Should().Be(200);
        entry["contract"]!.GetValue<string>().Should().Be(typeof(Platform).Assembly.GetName().Version!.ToString());
        entry["assembly"]!.GetValue<string>().Should().Be("Sgl.Platform.Acme.dll");
        entry["match"]![0]!["deviceNodes"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("acme*");
    }

    [Fact]
    public async Task A_plugin_whose_indexed_hardware_is_absent_is_neither_verified_nor_opened_but_is_once_its_hardware_appears()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme", attributes: Rules);
        var installed = await s.InstallAsync("Sgl.Platform.Acme");
        var dll = Path.Combine(installed.Directory, "Sgl.Platform.Acme.dll");
        var bytes = File.ReadAllBytes(dll);
        bytes[^1] ^= 0xFF; // a verification would refuse this file: the index path must not even hash it
        File.WriteAllBytes(dll, bytes);

        var acme = s.Resolve().Candidates.Single(c => c.Name == "acme");

        acme.Status.Should().Be(CandidateStatus.NotPresent);
        acme.Source.Should().Be(CandidateSource.Installed);
        acme.Reason.Should().StartWith("no matching hardware (/dev/acme*)").And.Contain("platforms.lock.json").And.Contain("neither verified nor opened");
        AppDomain.CurrentDomain.GetAssemblies().Should().NotContain(a => a.Location == dll);

        s.System.WithDeviceNode("acme0");
        var matched = s.Resolve().Candidates.Single(c => c.Name == "acme");
        matched.Status.Should().Be(CandidateStatus.Rejected, "with its hardware present the plugin is verified as before");
        matched.Reason.Should().Contain("SHA-512");
    }

    [Fact]
    public async Task Where_the_index_and_the_assembly_disagree_the_assembly_wins_and_the_row_says_so()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme", attributes: Rules);
        await s.InstallAsync("Sgl.Platform.Acme");
        s.System.WithDeviceNode("acme0");
        s.EditLock(json => json["plugins"]![0]!["index"]![0]!["priority"] = 300);

        var report = s.Resolve();

        report.Selected.Should().Be("acme");
        var acme = report.Candidates.Single(c => c.Name == "acme");
        acme.Priority.Should().Be(200, "the assembly's metadata wins");
        acme.Reason.Should().Contain("disagrees with Sgl.Platform.Acme 1.0.0 (priority 300 in the index, 200 in the assembly); the assembly's metadata was used");
    }

    [Fact]
    public async Task An_index_that_claims_no_rules_where_the_assembly_has_them_cannot_hide_the_plugin()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme", attributes: Rules);
        await s.InstallAsync("Sgl.Platform.Acme");
        s.System.WithDeviceNode("acme0");
        s.EditLock(json => json["plugins"]![0]!["index"]![0]!["match"] = new JsonArray());

        var acme = s.Resolve().Candidates.Single(c => c.Name == "acme");

        acme.Status.Should().Be(CandidateStatus.Available);
        acme.Reason.Should().Contain("hardware rules none in the index, [HardwareMatch(DeviceNodes = [\"acme*\"])] in the assembly");
    }

    [Fact]
    public async Task A_lock_file_without_an_index_is_read_as_before_and_the_rules_still_apply_from_the_assembly()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme", attributes: Rules);
        await s.InstallAsync("Sgl.Platform.Acme");
        s.EditLock(json => json["plugins"]![0]!.AsObject().Remove("index"));

        var acme = s.Resolve().Candidates.Single(c => c.Name == "acme");

        acme.Status.Should().Be(CandidateStatus.NotPresent);
        acme.Reason.Should().Be("no matching hardware (/dev/acme*); its code was not loaded");
        s.System.WithDeviceNode("acme0");
        s.Resolve().Selected.Should().Be("acme");
    }
}
