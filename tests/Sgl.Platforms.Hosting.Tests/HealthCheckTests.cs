using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Hosting.Tests;

public sealed class HealthCheckTests
{
    [Fact]
    public void Healthy_with_the_platform_name_when_an_accelerator_was_selected()
    {
        var result = PlatformHealthCheck.Evaluate(Reports.CudaSelected(), HealthStatus.Unhealthy);

        result.Status.Should().Be(HealthStatus.Healthy);
        result.Description.Should().Contain("'cuda'");
        result.Data.Should().Contain(new Dictionary<string, object>
        {
            ["selected"] = "cuda",
            ["candidate:cuda"] = "Available",
            ["candidate:rocm"] = "NotPresent",
            ["candidate:cpu"] = "Available",
        });
    }

    [Fact]
    public void Healthy_when_the_cpu_won_on_a_machine_without_accelerators()
    {
        var report = Reports.CpuSelected(
            Reports.Candidate("cuda", "Cuda", CandidateStatus.NotPresent),
            Reports.Candidate("musa", "Oot", CandidateStatus.Excluded));

        PlatformHealthCheck.Evaluate(report, HealthStatus.Unhealthy).Status.Should().Be(HealthStatus.Healthy);
    }

    [Theory]
    [InlineData(CandidateStatus.Unavailable)]
    [InlineData(CandidateStatus.Failed)]
    [InlineData(CandidateStatus.TimedOut)]
    public void Degraded_when_the_cpu_won_while_an_accelerator_was_seen(CandidateStatus status)
    {
        var report = Reports.CpuSelected(
            Reports.Candidate("cuda", "Cuda", status, "NVIDIA device 0000:10:00.0 present but NVML not found"),
            Reports.Candidate("rocm", "Rocm", CandidateStatus.NotPresent));

        var result = PlatformHealthCheck.Evaluate(report, HealthStatus.Unhealthy);

        result.Status.Should().Be(HealthStatus.Degraded);
        result.Description.Should().Contain("'cpu'").And.Contain($"cuda ({status}: NVIDIA device 0000:10:00.0 present but NVML not found)");
        result.Data.Should().Contain("selected", "cpu").And.Contain("candidate:cuda", status.ToString());
    }

    [Fact]
    public void Unhealthy_saying_why_when_an_nvidia_gpu_is_seen_but_unusable_and_cpu_was_not_asked_for()
    {
        using var root = new Sgl.Platforms.Testing.FakeSystemRoot().WithCpuInfo("Fake Xeon", 4).WithMemInfo(8L << 30, 6L << 30)
            .WithPciDevice(0x10de, 0x2330, 0x030200, driver: "nvidia");
        var report = new PlatformResolver(new PlatformOptions { SystemRoot = root.Root, PlatformsHome = root.PathOf("no-plugins") }).Resolve();

        var result = PlatformHealthCheck.Evaluate(report, HealthStatus.Unhealthy);

        result.Status.Should().Be(HealthStatus.Unhealthy);
        result.Description.Should().Contain("'cuda' is Unavailable").And.Contain("libnvidia-ml.so.1").And.Contain("SGL_PLATFORM=cpu");
        result.Data.Should().Contain("candidate:cuda", "Unavailable").And.NotContainKey("selected");
    }

    [Fact]
    public void Unhealthy_with_the_selection_error_when_nothing_was_selected()
    {
        var report = Reports.NothingSelected("SGL_PLATFORM=cuda forces that platform, but 'cuda' is Failed.");

        var result = PlatformHealthCheck.Evaluate(report, HealthStatus.Unhealthy);

        result.Status.Should().Be(HealthStatus.Unhealthy);
        result.Description.Should().Be("SGL_PLATFORM=cuda forces that platform, but 'cuda' is Failed.");
        result.Exception.Should().BeSameAs(report.Error);
        result.Data.Should().NotContainKey("selected").And.Contain("candidate:cuda", "Failed");
    }

    [Fact]
    public void A_failed_selection_reports_the_registrations_failure_status()
    {
        PlatformHealthCheck.Evaluate(Reports.NothingSelected("none"), HealthStatus.Degraded).Status.Should().Be(HealthStatus.Degraded);
    }

    [Fact]
    public void Candidates_sharing_a_name_keep_an_entry_each()
    {
        var report = Reports.CpuSelected(
            Reports.Candidate("musa", "Oot", CandidateStatus.NotPresent),
            Reports.Candidate("musa", "Oot", CandidateStatus.Rejected, "duplicate name"));

        PlatformHealthCheck.Evaluate(report, HealthStatus.Unhealthy).Data.Should()
            .Contain("candidate:musa", "NotPresent").And.Contain("candidate:musa#2", "Rejected");
    }

    [Fact]
    public async Task The_registered_sgl_platform_check_reports_degraded_through_the_health_check_service()
    {
        var report = Reports.CpuSelected(Reports.Candidate("cuda", "Cuda", CandidateStatus.Unavailable, "NVML not found"));
        using var host = TestHosts.Build(report: report);

        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);

        health.Entries.Should().ContainKey("sgl-platform").WhoseValue.Status.Should().Be(HealthStatus.Degraded);
        health.Status.Should().Be(HealthStatus.Degraded);
    }
}
