using Sgl.Platforms.Selection;
using Sgl.Platforms.Tests.Support;

namespace Sgl.Platforms.Tests.Reliability;

/// <summary>
/// The fault catalogue entries not covered by the selection tests: each fault is injected for real,
/// and the user must get a report with a reason, never an unhandled exception or a silent fallback.
/// docs/reliability.md lists every entry and the test that proves it.
/// </summary>
public sealed class FaultCatalogueTests
{
    [Theory]
    [InlineData("return ProbeResult.Available([new DeviceInfo(0, \"a\"), new DeviceInfo(0, \"b\")]);", "device index 0 is reported 2 times")]
    [InlineData("return ProbeResult.Available([new DeviceInfo(0, \"a\") { MemoryBytes = -5 }]);", "reports -5 bytes")]
    [InlineData("return ProbeResult.Available([new DeviceInfo(-1, \"a\")]);", "negative index -1")]
    [InlineData("return ProbeResult.Available([new DeviceInfo(0, \" \")]);", "device 0 has no name")]
    public void A_probe_returning_inconsistent_data_fails_with_what_is_wrong(string probeBody, string expected)
    {
        using var scenario = new SelectionScenario();
        scenario.AddPlugin("acme", probeBody: probeBody);

        var report = scenario.Resolve();

        var acme = report.Candidates.Single(c => c.Name == "acme");
        acme.Status.Should().Be(CandidateStatus.Failed);
        acme.Reason.Should().Contain("inconsistent data").And.Contain(expected);
        report.Selected.Should().BeNull("a failed plugin leaves only the CPU, which is never chosen silently");
    }

    public static TheoryData<string, string, string> GarbageSettings => new()
    {
        { nameof(PlatformOptions.Platform), "cuda;rm -rf /", "SGL_PLATFORM" },
        { nameof(PlatformOptions.Platform), ",,,", "" },
        { nameof(PlatformOptions.Plugins), "Acme Corp", "SGL_PLATFORM_PLUGINS" },
        { nameof(PlatformOptions.ProbeTimeoutMs), "-1", "SGL_PROBE_TIMEOUT_MS" },
        { nameof(PlatformOptions.ProbeTimeoutMs), "99999999999999", "SGL_PROBE_TIMEOUT_MS" },
        { nameof(PlatformOptions.ProbeTimeoutMs), "5s", "SGL_PROBE_TIMEOUT_MS" },
        { nameof(PlatformOptions.SystemRoot), "/etc/hostname", "SGL_SYSTEM_ROOT" },
        { nameof(PlatformOptions.SystemRoot), "bad\0path", "SGL_SYSTEM_ROOT" },
        { nameof(PlatformOptions.PluginPath), "::::", "" },
        { nameof(PlatformOptions.PlatformsHome), "/dev/null", "" },
        { nameof(PlatformOptions.PlatformsHome), "bad\0home", "SGL_PLATFORMS_HOME" },
        { nameof(PlatformOptions.ProbeIsolation), "yes please", "SGL_PROBE_ISOLATION" },
    };

    /// <summary>An empty expected variable means the value is harmless and selection proceeds.</summary>
    [Theory]
    [MemberData(nameof(GarbageSettings))]
    public void Garbage_in_a_setting_is_an_error_naming_it_or_is_harmless(string setting, string value, string variable)
    {
        using var scenario = new SelectionScenario();
        typeof(PlatformOptions).GetProperty(setting)!.SetValue(scenario.Options, value);

        var report = scenario.Resolve();

        if (variable.Length == 0)
        {
            report.Error.Should().BeNull();
            report.Selected.Should().Be("cpu");
        }
        else
        {
            report.Error.Should().BeOfType<PlatformConfigurationException>();
            report.Error!.Message.Should().StartWith(variable).And.Contain(PlatformOptions.SectionName + ":" + setting);
            report.Selected.Should().BeNull();
        }
    }

    [Fact]
    public void A_system_root_full_of_malformed_and_unreadable_files_is_survived_by_every_probe()
    {
        using var scenario = new SelectionScenario();
        var root = scenario.Root;
        // A directory where a file is expected cannot be read (the test runs as root, which reads any file).
        Directory.CreateDirectory(root.PathOf("proc/cpuinfo"));
        root.WithFile("proc/meminfo", "MemTotal: lots\n\0\0\0");
        root.WithPciDevice(0x10de, 0x2330).WithPciDevice(0x1002, 0x74a1).WithPciDevice(0x1da3, 0x1020);
        var nvidia = Directory.GetDirectories(root.PathOf("sys/devices/pci0000:00"))[0];
        File.Delete(Path.Combine(nvidia, "vendor"));
        Directory.CreateDirectory(Path.Combine(nvidia, "vendor"));
        root.WithFile("sys/class/kfd/kfd/topology/nodes/1/properties", "gpu_id banana\nsimd_count -3\n\xff\xfe");
        root.WithFile("sys/class/kfd/kfd/topology/nodes/2/gpu_id", "not a number");
        Directory.CreateDirectory(root.PathOf("dev"));
        File.CreateSymbolicLink(root.PathOf("dev/davinci0"), "/nowhere/at/all");
        root.WithFile("dev/accel/accel0", "").WithFile("usr/local/Ascend/driver/version.info", "\0\0garbage");

        var report = scenario.Resolve();

        report.Candidates.Should().HaveCount(6);
        report.Candidates.Should().OnlyContain(c => c.Status != CandidateStatus.Failed && c.Status != CandidateStatus.TimedOut,
            "a probe reads through SystemView, which treats what it cannot read as absent");
        report.Candidates.Should().OnlyContain(c => !string.IsNullOrWhiteSpace(c.Reason));
        report.Candidates.Single(c => c.Name == "cpu").Status.Should().Be(CandidateStatus.Available);
    }

    [Fact]
    public async Task Resolution_while_the_plugin_folder_is_being_modified_always_ends_in_a_report()
    {
        using var scenario = new SelectionScenario();
        var template = scenario.AddPlugin("acme");
        var folder = scenario.PluginDirectory;
        scenario.PluginPaths.Clear();
        scenario.PluginPaths.Add(folder);
        using var stop = new CancellationTokenSource();
        var churn = Task.Run(
            () =>
        {
            var bytes = File.ReadAllBytes(template);
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var path = Path.Combine(folder, $"Vendor.Churn{i % 5}.dll");
                try
                {
                    switch (i % 4)
                    {
                        case 0: File.WriteAllBytes(path, bytes); break;
                        case 1: File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 2).ToArray()); break;
                        case 2: File.Delete(path); break;
                        default: File.Move(path, path + ".moved", overwrite: true); break;
                    }
                }
                catch (IOException)
                {
                    // The resolver may hold a file open; the churn goes on.
                }
            }
        },
            TestContext.Current.CancellationToken);

        var reports = new List<SelectionReport>();
        for (var i = 0; i < 20; i++)
        {
            var resolve = () => scenario.Resolve();
            reports.Add(resolve.Should().NotThrow().Subject);
        }

        await stop.CancelAsync();
        await churn;
        reports.Should().OnlyContain(r => r.Selected != null || r.Error != null);
        reports.SelectMany(r => r.Candidates).Where(c => c.Status is CandidateStatus.Failed or CandidateStatus.Rejected)
            .Should().OnlyContain(c => !string.IsNullOrWhiteSpace(c.Reason));
    }
}
