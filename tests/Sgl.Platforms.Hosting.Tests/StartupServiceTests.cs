using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Hosting.Tests;

public sealed class StartupServiceTests
{
    private const string StartupCategory = "Sgl.Platforms.Hosting.PlatformSelectionStartupService";

    [Fact]
    public async Task Start_logs_the_selected_platform_and_the_candidate_count()
    {
        var log = new LogRecorder();
        using var host = TestHosts.Build(report: Reports.CudaSelected(), log: log);

        await host.StartAsync(TestContext.Current.CancellationToken);

        var own = log.Entries.Where(e => e.Category == StartupCategory).ToList();
        own.Should().ContainSingle(e => e.Level == LogLevel.Information && e.EventId == 1)
            .Which.Message.Should().Contain("'cuda'").And.Contain("3 candidates");
        own.Should().NotContain(e => e.Level >= LogLevel.Warning);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData(CandidateStatus.Unavailable)]
    [InlineData(CandidateStatus.Failed)]
    [InlineData(CandidateStatus.TimedOut)]
    public async Task Start_warns_when_the_cpu_fallback_won_while_an_accelerator_was_seen(CandidateStatus status)
    {
        var log = new LogRecorder();
        var report = Reports.CpuSelected(Reports.Candidate("cuda", "Cuda", status, "NVML (libnvidia-ml.so.1) not found"));
        using var host = TestHosts.Build(report: report, log: log);

        await host.StartAsync(TestContext.Current.CancellationToken);

        log.Entries.Should().ContainSingle(e => e.Category == StartupCategory && e.Level == LogLevel.Warning)
            .Which.Message.Should().Contain($"cuda ({status}: NVML (libnvidia-ml.so.1) not found)").And.Contain("SGL_PLATFORM=cpu");
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Start_does_not_warn_on_a_machine_without_accelerators()
    {
        var log = new LogRecorder();
        var report = Reports.CpuSelected(
            Reports.Candidate("cuda", "Cuda", CandidateStatus.NotPresent),
            Reports.Candidate("musa", "Oot", CandidateStatus.Excluded),
            Reports.Candidate("broken", "Oot", CandidateStatus.Rejected));
        using var host = TestHosts.Build(report: report, log: log);

        await host.StartAsync(TestContext.Current.CancellationToken);

        log.Entries.Should().NotContain(e => e.Category == StartupCategory && e.Level >= LogLevel.Warning);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Start_fails_with_the_selection_error_when_nothing_was_selected()
    {
        const string Message = "No platform is available: 'cuda' is Failed (libnvidia-ml.so.1 threw during the probe).";
        using var host = TestHosts.Build(report: Reports.NothingSelected(Message));

        var start = () => host.StartAsync(TestContext.Current.CancellationToken);

        (await start.Should().ThrowAsync<PlatformSelectionException>()).Which.Message.Should().Be(Message);
    }

    [Fact]
    public async Task Selection_runs_before_other_hosted_services_start()
    {
        var resolved = false;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var early = new ObservingService(() => resolved);
        builder.Services.AddSingleton<IHostedService>(early);
        builder.Services.AddSglPlatforms();
        builder.Services.RemoveAll<PlatformSelection>();
        builder.Services.AddSingleton(sp => new PlatformSelection(sp.GetRequiredService<IOptions<PlatformOptions>>(), options =>
        {
            _ = options();
            resolved = true;
            return Reports.CudaSelected();
        }));
        using var host = builder.Build();

        await host.StartAsync(TestContext.Current.CancellationToken);

        early.SawSelection.Should().BeTrue("a service registered before AddSglPlatforms must still find the platform selected");
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Start_says_so_when_the_platform_was_selected_before_the_host()
    {
        var log = new LogRecorder();
        var report = Reports.CudaSelected();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddProvider(log);
        builder.Services.AddSglPlatforms();
        builder.Services.RemoveAll<PlatformSelection>();

        // An earlier resolution stands: the host's options are never asked for.
        builder.Services.AddSingleton(sp => new PlatformSelection(sp.GetRequiredService<IOptions<PlatformOptions>>(), _ => report));
        using var host = builder.Build();

        await host.StartAsync(TestContext.Current.CancellationToken);

        log.Entries.Should().ContainSingle(e => e.Category == StartupCategory && e.EventId == 3)
            .Which.Message.Should().Contain("Sgl:Platforms");
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    private sealed class ObservingService(Func<bool> resolved) : IHostedService
    {
        public bool SawSelection { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken)
        {
            SawSelection = resolved();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
