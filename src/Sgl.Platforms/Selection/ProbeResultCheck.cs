using System.Globalization;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.Selection;

/// <summary>
/// Refuses probe results a runtime could not use safely: devices with negative or repeated indexes,
/// empty names or negative memory. A vendor bug here would otherwise surface later as a wrong device.
/// </summary>
internal static class ProbeResultCheck
{
    /// <summary>What is wrong with <paramref name="result"/>, or null when it is consistent.</summary>
    public static string? Problem(ProbeResult result)
    {
        var devices = result.Devices;
        for (var i = 0; i < devices.Count; i++)
        {
            var device = devices[i];
            if (device is null)
            {
                return string.Create(CultureInfo.InvariantCulture, $"device entry {i} is null");
            }

            if (device.Index < 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"device '{device.Name}' has the negative index {device.Index}");
            }

            if (string.IsNullOrWhiteSpace(device.Name))
            {
                return string.Create(CultureInfo.InvariantCulture, $"device {device.Index} has no name");
            }

            if (device.MemoryBytes is < 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"device {device.Index} reports {device.MemoryBytes} bytes of memory");
            }
        }

        var repeated = devices.GroupBy(d => d.Index).FirstOrDefault(g => g.Count() > 1);
        return repeated is null ? null : string.Create(CultureInfo.InvariantCulture, $"device index {repeated.Key} is reported {repeated.Count()} times");
    }
}
