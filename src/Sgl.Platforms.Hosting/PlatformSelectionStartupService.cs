using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Sgl.Platforms.Hosting;

/// <summary>
/// Selects the platform when the host starts, before any hosted service's <c>StartAsync</c>, so that
/// services reaching <see cref="CurrentPlatform"/> get the host's selection; logs it, and fails the start
/// when nothing could be selected.
/// </summary>
internal sealed partial class PlatformSelectionStartupService : IHostedLifecycleService
{
    private readonly PlatformSelection _selection;
    private readonly ILogger<PlatformSelectionStartupService> _logger;

    // Resolution must not happen here: the host builds hosted services before it validates options.
    public PlatformSelectionStartupService(PlatformSelection selection, ILogger<PlatformSelectionStartupService> logger)
    {
        _selection = selection;
        _logger = logger;
    }

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var report = _selection.Report;
        var assessment = SelectionAssessment.Of(report);

        if (!_selection.HostOptionsUsed)
        {
            LogResolvedBeforeHost(_logger, PlatformOptions.SectionName);
        }

        if (assessment.State == SelectionState.Failed)
        {
            // Selection has logged the error already and the host logs the failed start, so this only fails it.
            ExceptionDispatchInfo.Throw(report.Error ?? new PlatformSelectionException("No platform was selected."));
        }

        var platform = report.GetPlatformOrThrow();
        LogSelected(_logger, report.Selected ?? platform.DeviceName, report.Candidates.Count, platform.Devices.Count);
        if (assessment.State == SelectionState.CpuFallbackWithAcceleratorSeen)
        {
            LogCpuFallback(_logger, assessment.DescribeUnusableAccelerators(), PlatformEnvironment.Platform);
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Sgl platform '{Platform}' in use by the host: {CandidateCount} candidates considered, {DeviceCount} device(s).")]
    private static partial void LogSelected(ILogger logger, string platform, int candidateCount, int deviceCount);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "The cpu platform was selected although accelerator hardware was seen: {Accelerators}. " +
            "Work will run on the CPU. Fix the accelerator setup the reasons describe, or set {Variable}=cpu to choose the CPU on purpose.")]
    private static partial void LogCpuFallback(ILogger logger, string accelerators, string variable);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information,
        Message = "The platform was selected earlier in this process, before the host started; the host's {Section} settings took no part in the selection.")]
    private static partial void LogResolvedBeforeHost(ILogger logger, string section);
}
