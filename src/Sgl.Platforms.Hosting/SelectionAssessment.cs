using System.Globalization;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Hosting;

/// <summary>How well a selection went, as the startup log and the health check report it.</summary>
internal enum SelectionState
{
    /// <summary>A platform was selected and no accelerator was left unusable behind a CPU selection.</summary>
    Selected,

    /// <summary>The CPU won although accelerator hardware was seen (unavailable, failed or timed out).</summary>
    CpuFallbackWithAcceleratorSeen,

    /// <summary>Nothing could be selected.</summary>
    Failed,
}

/// <summary>The classification of a <see cref="SelectionReport"/> shared by the startup service and the health check.</summary>
/// <param name="State">The outcome.</param>
/// <param name="UnusableAccelerators">Non-CPU candidates whose hardware was seen but could not be used.</param>
internal sealed record SelectionAssessment(SelectionState State, IReadOnlyList<CandidateReport> UnusableAccelerators)
{
    private static readonly string CpuKind = nameof(PlatformEnum.Cpu);

    /// <summary>Classifies a report.</summary>
    /// <param name="report">The selection report.</param>
    public static SelectionAssessment Of(SelectionReport report)
    {
        ArgumentNullException.ThrowIfNull(report);

        // An accelerator whose probe reached the hardware but could not use it, or whose plugin broke;
        // NotPresent, Rejected and Excluded say nothing about the machine's hardware.
        var unusable = report.Candidates
            .Where(c => !IsCpuKind(c.Kind) && c.Status is CandidateStatus.Unavailable or CandidateStatus.Failed or CandidateStatus.TimedOut)
            .ToArray();

        if (report.Platform is not { } platform)
        {
            return new SelectionAssessment(SelectionState.Failed, unusable);
        }

        // Ranking prefers any available accelerator to the CPU, so an accelerator that is Available but
        // not selected cannot coexist with a CPU selection; only the unusable ones matter here.
        var state = platform.IsCpu && unusable.Length > 0 ? SelectionState.CpuFallbackWithAcceleratorSeen : SelectionState.Selected;
        return new SelectionAssessment(state, unusable);
    }

    /// <summary>The unusable accelerators in one line, for example <c>cuda (Unavailable: NVML not found)</c>.</summary>
    public string DescribeUnusableAccelerators() =>
        string.Join("; ", UnusableAccelerators.Select(c => c.Reason is { Length: > 0 } reason
            ? string.Create(CultureInfo.InvariantCulture, $"{c.Name} ({c.Status}: {reason})")
            : string.Create(CultureInfo.InvariantCulture, $"{c.Name} ({c.Status})")));

    private static bool IsCpuKind(string kind) => string.Equals(kind, CpuKind, StringComparison.OrdinalIgnoreCase);
}
