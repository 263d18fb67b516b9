using System.Globalization;

namespace Sgl.Cli.Commands;

/// <summary>
/// What the human table shows of long texts and device lists. Rendering a table costs more than linear
/// time in a cell's length, so the table shows a bounded part and points to <c>--json</c>, which has it all.
/// </summary>
internal static class TableLimits
{
    /// <summary>The most characters of a reason the table prints.</summary>
    public const int ReasonLength = 600;

    /// <summary>The most devices listed in one candidate's cell.</summary>
    public const int Devices = 8;

    public static string Reason(string reason) => reason.Length <= ReasonLength
        ? reason
        : string.Create(CultureInfo.InvariantCulture, $"{reason.AsSpan(0, ReasonLength)}… ({reason.Length - ReasonLength:N0} more characters: see 'sgl platforms list --json')");

    public static IEnumerable<string> DeviceLines<T>(IReadOnlyList<T> devices, Func<T, string> format) => devices.Count <= Devices
        ? devices.Select(format)
        : devices.Take(Devices).Select(format).Append(string.Create(CultureInfo.InvariantCulture, $"… and {devices.Count - Devices:N0} more (see --json)"));
}
