using System.Globalization;
using Sgl.Platforms.Selection;
using Sgl.Platforms.Tests.Support;

namespace Sgl.Platforms.Tests.Reliability;

/// <summary>
/// What one probe can put in the report is bounded: devices, the reason, and what the built-in probes
/// write about a machine with a huge PCI tree. The sizes are asserted, not the time (docs/performance.md).
/// </summary>
public sealed class ReportBoundTests
{
    private static CandidateReport Candidate(SelectionReport report, string name) => report.Candidates.Single(c => c.Name == name);

    [Fact]
    public void A_probe_returning_a_million_devices_keeps_the_first_1024_and_says_so()
    {
        using var scenario = new SelectionScenario();
        scenario.AddPlugin("acme", probeBody: """
            var devices = new DeviceInfo[1_000_000];
            for (var i = 0; i < devices.Length; i++) devices[i] = new DeviceInfo(i, "acme device");
            return ProbeResult.Available(devices, "found them all");
            """);

        var report = scenario.Resolve();

        var acme = Candidate(report, "acme");
        acme.Status.Should().Be(CandidateStatus.Available);
        acme.Devices.Should().HaveCount(1024);
        acme.Devices[^1].Index.Should().Be(1023);
        acme.Reason.Should().StartWith("found them all").And.Contain("1,000,000 devices").And.Contain("only the first 1,024 are kept");
        report.ToJson().Length.Should().BeLessThan(200_000, "the JSON holds 1,024 devices, not a million");
    }

    [Fact]
    public void A_megabyte_reason_is_cut_saying_how_long_it_was()
    {
        using var scenario = new SelectionScenario();
        scenario.AddPlugin("acme", probeBody: "return ProbeResult.NotPresent(new string('x', 1_400_000));");

        var report = scenario.Resolve();

        var reason = Candidate(report, "acme").Reason!;
        reason.Length.Should().BeLessThanOrEqualTo(ReportLimits.MaxReasonLength);
        reason.Trim('x').Should().Be("… (cut: 1,400,000 characters in all)");
    }

    /// <summary>Ten thousand functions show the bound (a tree of 100,000 takes minutes to write, so that size is a benchmark: docs/performance.md).</summary>
    [Fact]
    public void On_a_sysfs_with_ten_thousand_pci_devices_every_built_in_reason_stays_short()
    {
        using var scenario = new SelectionScenario();
        scenario.Root.WithCpuInfo("Test CPU", 4).WithMemInfo(8L << 30, 6L << 30);
        // A quarter each of NVIDIA, AMD, Huawei and Habana functions (3D controllers), none with a driver.
        var vendors = new[] { "0x10de", "0x1002", "0x19e5", "0x1da3" };
        var devices = scenario.Root.PathOf("sys/devices/pci0000:00");
        var bus = scenario.Root.PathOf("sys/bus/pci/devices");
        Directory.CreateDirectory(bus);
        for (var i = 0; i < 10_000; i++)
        {
            var address = string.Create(CultureInfo.InvariantCulture, $"{i >> 13:x4}:{(i >> 5) & 0xff:x2}:{(i >> 3) & 0x3:x2}.{i & 0x7:x}");
            var dir = Path.Combine(devices, address);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "vendor"), vendors[i % 4] + "\n");
            File.WriteAllText(Path.Combine(dir, "device"), "0x1234\n");
            File.WriteAllText(Path.Combine(dir, "class"), "0x030200\n");
            File.CreateSymbolicLink(Path.Combine(bus, address), dir);
        }

        scenario.Options.ProbeTimeoutMs = "120000"; // what is tested is the size of the reasons, not the time (a loaded machine reads slowly)

        var report = scenario.Resolve();

        foreach (var name in new[] { "cuda", "rocm", "npu", "hpu" })
        {
            var candidate = Candidate(report, name);
            candidate.Status.Should().Be(CandidateStatus.Unavailable, name);
            candidate.Reason!.Length.Should().BeLessThan(2000, $"{name} names a few of its 2,500 functions and counts the rest: {candidate.Reason[..Math.Min(300, candidate.Reason.Length)]}");
            candidate.Reason.Should().Contain("and 2,492 more", name);
        }
    }
}
