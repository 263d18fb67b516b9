using Microsoft.Extensions.Diagnostics.HealthChecks;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Hosting;

/// <summary>
/// Reports the platform selection: Healthy with the selected platform, Degraded when the CPU won on a
/// machine where accelerator hardware was seen, and the registration's failure status when nothing was selected.
/// </summary>
internal sealed class PlatformHealthCheck : IHealthCheck
{
    /// <summary>The data key holding the selected platform's name (absent when none was selected).</summary>
    internal const string SelectedKey = "selected";

    /// <summary>The data key prefix for each candidate's status, for example <c>candidate:cuda</c>.</summary>
    internal const string CandidateKeyPrefix = "candidate:";

    private readonly PlatformSelection _selection;

    public PlatformHealthCheck(PlatformSelection selection) => _selection = selection;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Task.FromResult(Evaluate(_selection.Report, context.Registration.FailureStatus));
    }

    /// <summary>Turns a report into a health result.</summary>
    /// <param name="report">The selection report.</param>
    /// <param name="failureStatus">The status to report when nothing was selected.</param>
    internal static HealthCheckResult Evaluate(SelectionReport report, HealthStatus failureStatus)
    {
        var assessment = SelectionAssessment.Of(report);
        var data = DataOf(report);

        return assessment.State switch
        {
            SelectionState.Failed => new HealthCheckResult(
                failureStatus,
                report.Error?.Message ?? "No platform was selected.",
                report.Error,
                data),
            SelectionState.CpuFallbackWithAcceleratorSeen => HealthCheckResult.Degraded(
                $"Platform '{report.Selected}' (the CPU fallback) was selected although accelerator hardware was seen: {assessment.DescribeUnusableAccelerators()}.",
                data: data),
            _ => HealthCheckResult.Healthy($"Platform '{report.Selected}' selected.", data),
        };
    }

    private static Dictionary<string, object> DataOf(SelectionReport report)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        if (report.Selected is { } selected)
        {
            data[SelectedKey] = selected;
        }

        foreach (var candidate in report.Candidates)
        {
            // Rejected duplicates share a name with the candidate that won the name; keep both entries.
            var key = CandidateKeyPrefix + candidate.Name;
            for (var n = 2; data.ContainsKey(key); n++)
            {
                key = $"{CandidateKeyPrefix}{candidate.Name}#{n}";
            }

            data[key] = candidate.Status.ToString();
        }

        return data;
    }
}
