using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Hosting.Tests.ProcessWide;

[Collection(ProcessWideResolution.Name)]
public sealed class ProcessWideResolutionTests : IDisposable
{
    public ProcessWideResolutionTests() => ProcessWideResolution.Reset();

    public void Dispose() => ProcessWideResolution.Reset();

    [Fact]
    public async Task The_Platform_singleton_is_CurrentPlatform_Instance_when_the_host_selects_first()
    {
        using var host = TestHosts.Build(ProcessWideResolution.SelectTestPlatform());
        CurrentPlatform.IsResolved.Should().BeFalse();

        await host.StartAsync(TestContext.Current.CancellationToken);

        CurrentPlatform.IsResolved.Should().BeTrue("the startup service selects when the host starts");
        var platform = host.Services.GetRequiredService<Platform>();
        platform.DeviceName.Should().Be(HostingTestPlatform.Name);
        platform.Should().BeSameAs(CurrentPlatform.Instance);
        host.Services.GetRequiredService<SelectionReport>().Should().BeSameAs(CurrentPlatform.Report);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task The_host_uses_the_selection_CurrentPlatform_made_first_from_the_environment()
    {
        var log = new LogRecorder();
        using var variables = new EnvironmentVariables(ProcessWideResolution.SelectTestPlatform().ToDictionary(
            p => p.Key == "Platform" ? PlatformEnvironment.Platform : PlatformEnvironment.PluginPath, p => p.Value));
        var first = CurrentPlatform.Instance;

        using var host = TestHosts.Build(new Dictionary<string, string?> { ["Platform"] = "cpu" }, log: log);
        await host.StartAsync(TestContext.Current.CancellationToken);

        host.Services.GetRequiredService<Platform>().Should().BeSameAs(first);
        log.Entries.Should().Contain(e => e.EventId == 3 && e.Message.Contains("took no part", StringComparison.Ordinal));
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_second_host_in_the_process_shares_the_first_hosts_selection()
    {
        using var first = TestHosts.Build(ProcessWideResolution.SelectTestPlatform());
        await first.StartAsync(TestContext.Current.CancellationToken);
        using var second = TestHosts.Build(new Dictionary<string, string?> { ["Platform"] = "cpu" });
        await second.StartAsync(TestContext.Current.CancellationToken);

        second.Services.GetRequiredService<Platform>().Should().BeSameAs(first.Services.GetRequiredService<Platform>());
        await second.StopAsync(TestContext.Current.CancellationToken);
        await first.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_platform_nobody_provides_fails_the_start_and_the_health_check()
    {
        using var host = TestHosts.Build(new Dictionary<string, string?> { ["Platform"] = "no-such-platform" });

        var start = () => host.StartAsync(TestContext.Current.CancellationToken);

        (await start.Should().ThrowAsync<PlatformSelectionException>()).Which.Message.Should().Contain("no-such-platform").And.Contain("SGL_PLATFORM");
        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);
        var entry = health.Entries["sgl-platform"];
        entry.Status.Should().Be(HealthStatus.Unhealthy);
        entry.Description.Should().Contain("no-such-platform");
    }

    [Fact]
    public void A_set_environment_variable_wins_over_configuration_in_a_real_host()
    {
        using var variables = new EnvironmentVariables(new Dictionary<string, string?> { [PlatformEnvironment.ProbeTimeoutMs] = "250" });
        using var host = TestHosts.Build(new Dictionary<string, string?> { ["ProbeTimeoutMs"] = "1000", ["Plugins"] = "musa" });

        var options = host.Services.GetRequiredService<IOptions<PlatformOptions>>().Value;

        options.ProbeTimeoutMs.Should().Be("250");
        options.Plugins.Should().Be("musa");
    }

    /// <summary>Sets process environment variables for one test and restores them after.</summary>
    private sealed class EnvironmentVariables : IDisposable
    {
        private readonly Dictionary<string, string?> _previous = [];

        public EnvironmentVariables(IReadOnlyDictionary<string, string?> values)
        {
            foreach (var (name, value) in values)
            {
                _previous[name] = Environment.GetEnvironmentVariable(name);
                Environment.SetEnvironmentVariable(name, value);
            }
        }

        public void Dispose()
        {
            foreach (var (name, value) in _previous)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
