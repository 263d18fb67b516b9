using System.Globalization;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.Selection;

/// <summary>
/// Bounds on what one probe can put in the selection report, so a careless or hostile probe cannot make
/// the report, its JSON or its table cost minutes and gigabytes. docs/reliability.md lists them.
/// </summary>
internal static class ReportLimits
{
    /// <summary>The most devices one probe may report; beyond it the first ones are kept and the rest counted in the reason.</summary>
    public const int MaxDevices = 1024;

    /// <summary>The longest reason the report keeps (characters); a longer one is cut, saying how long it was.</summary>
    public const int MaxReasonLength = 16 * 1024;

    /// <summary><paramref name="result"/> within <see cref="MaxDevices"/> and <see cref="MaxReasonLength"/>; the same object when it already is.</summary>
    public static ProbeResult Bound(ProbeResult result)
    {
        var devices = result.Devices;
        var reason = result.Reason;
        if (devices.Count > MaxDevices)
        {
            var note = string.Create(CultureInfo.InvariantCulture,
                $"The probe reported {devices.Count:N0} devices, more than the {MaxDevices:N0} a probe may report: only the first {MaxDevices:N0} are kept. The plugin's vendor must fix the probe.");
            reason = string.IsNullOrEmpty(reason) ? note : $"{BoundReason(reason)} {note}";
            devices = devices.Take(MaxDevices).ToArray();
        }
        else if (reason is null || reason.Length <= MaxReasonLength)
        {
            return result;
        }

        reason = BoundReason(reason);
        return result.Status switch
        {
            ProbeStatus.Available => ProbeResult.Available(devices, reason),
            ProbeStatus.NotPresent => ProbeResult.NotPresent(reason ?? ""),
            _ => ProbeResult.Unavailable(reason ?? "", devices),
        };
    }

    /// <summary><paramref name="reason"/> cut to at most <see cref="MaxReasonLength"/> characters, saying how long it was (so cutting again changes nothing).</summary>
    public static string? BoundReason(string? reason) => reason is null || reason.Length <= MaxReasonLength
        ? reason
        : string.Create(CultureInfo.InvariantCulture, $"{reason.AsSpan(0, MaxReasonLength - 64)}… (cut: {reason.Length:N0} characters in all)");
}
