using System.Globalization;

namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>
/// Applies <c>CUDA_VISIBLE_DEVICES</c> to the devices NVML reports, so the probe's indices are the
/// ordinals CUDA itself will use. NVML ignores the variable and always counts every GPU.
/// </summary>
/// <remarks>
/// Follows the CUDA rules: entries are NVML indices or <c>GPU-</c> UUID prefixes; the list ends at the
/// first entry that matches nothing; an empty value hides every device. MIG instances are not resolved.
/// </remarks>
internal static class CudaVisibleDevices
{
    /// <summary>The variable's name.</summary>
    public const string VariableName = "CUDA_VISIBLE_DEVICES";

    /// <summary>Orders and filters <paramref name="physical"/> as <paramref name="value"/> says.</summary>
    /// <typeparam name="T">The device record.</typeparam>
    /// <param name="value">The variable's value, or null when unset (every device is visible).</param>
    /// <param name="physical">Devices in NVML order.</param>
    /// <param name="uuidOf">The device's UUID (for example <c>GPU-8f6c...</c>).</param>
    /// <returns>The visible devices in CUDA ordinal order.</returns>
    public static IReadOnlyList<T> Apply<T>(string? value, IReadOnlyList<T> physical, Func<T, string?> uuidOf)
    {
        ArgumentNullException.ThrowIfNull(physical);
        ArgumentNullException.ThrowIfNull(uuidOf);
        if (value is null)
        {
            return physical;
        }

        var visible = new List<T>();
        foreach (var raw in value.Split(','))
        {
            var entry = raw.Trim();
            var match = Resolve(entry, physical, uuidOf);
            if (match is null || visible.Contains(match.Value.Device))
            {
                break;
            }

            visible.Add(match.Value.Device);
        }

        return visible;
    }

    private static (T Device, int Index)? Resolve<T>(string entry, IReadOnlyList<T> physical, Func<T, string?> uuidOf)
    {
        if (int.TryParse(entry, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return index < physical.Count ? (physical[index], index) : null;
        }

        if (!entry.StartsWith("GPU-", StringComparison.OrdinalIgnoreCase) || entry.Length <= 4)
        {
            return null;
        }

        var matches = physical
            .Select((device, i) => (Device: device, Index: i))
            .Where(d => uuidOf(d.Device)?.StartsWith(entry, StringComparison.OrdinalIgnoreCase) == true)
            .ToArray();
        return matches.Length == 1 ? matches[0] : null;
    }
}
