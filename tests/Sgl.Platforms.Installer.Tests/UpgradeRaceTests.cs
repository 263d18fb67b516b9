using System.Collections.Concurrent;
using Sgl.Platforms.Installer.Tests.Support;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Installer.Tests;

/// <summary>Readers and writers of a home are consistent: a start during any number of upgrades sees the old or the new version whole.</summary>
public sealed class UpgradeRaceTests
{
    [Fact]
    public async Task Starts_racing_many_upgrades_each_see_one_version_whole_and_never_fail()
    {
        using var s = new InstallScenario();
        foreach (var v in new[] { "1", "2" })
        {
            // Version N of the plugin and of its dependency: a start that mixed them would report it.
            var dependency = TestAssemblies.Library("Acme.Dep", version: $"{v}.0.0.0", value: v);
            s.Feed.Add("Acme.Dep", $"{v}.0.0", [("lib/net10.0/Acme.Dep.dll", dependency)]);
            s.Feed.Add("Sgl.Platform.Acme", $"{v}.0.0",
                [("lib/net10.0/Sgl.Platform.Acme.dll", TestAssemblies.Platform("Sgl.Platform.Acme", "acme", version: $"{v}.0.0.0", references: [dependency], deviceName: "\"acme \" + global::Acme.Dep.Tag.Value"))],
                [("Acme.Dep", $"[{v}.0.0]")]);
        }

        s.System.WithDeviceNode("acme0");
        await s.InstallAsync("Sgl.Platform.Acme", "1.0.0");
        const int Upgrades = 12;
        const int Starts = 30;
        var seen = new ConcurrentBag<string>();
        var failures = new ConcurrentBag<string>();
        using var done = new CancellationTokenSource();

        var writer = Task.Run(async () =>
        {
            try
            {
                // At least this many upgrades, and on until the starts have raced them often enough (a slow machine starts less often).
                for (var i = 0; i < Upgrades || (seen.Count + failures.Count < Starts && i < 40 * Upgrades); i++)
                {
                    await s.InstallAsync("Sgl.Platform.Acme", i % 2 == 0 ? "2.0.0" : "1.0.0");
                }
            }
            finally
            {
                await done.CancelAsync();
            }
        }, TestContext.Current.CancellationToken);
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                try
                {
                    var acme = s.Resolve().Candidates.Single(c => c.Name == "acme");
                    var device = acme.Devices.SingleOrDefault()?.Name;
                    if (acme.Status != CandidateStatus.Available || device != $"acme {acme.Version[0]}")
                    {
                        failures.Add($"{acme.Status} {acme.Version} {device}: {acme.Reason}");
                    }
                    else
                    {
                        seen.Add(acme.Version);
                    }
                }
                catch (Exception e)
                {
                    failures.Add(e.ToString());
                }
            }
        }, TestContext.Current.CancellationToken)).ToList();
        await Task.WhenAll(readers.Append(writer));

        failures.Should().BeEmpty();
        seen.Count.Should().BeGreaterThanOrEqualTo(Starts);
        seen.Select(v => v[0]).Distinct().Should().BeEquivalentTo(['1', '2'], "the starts saw both versions");
    }
}
