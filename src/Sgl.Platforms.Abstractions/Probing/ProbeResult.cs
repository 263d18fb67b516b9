namespace Sgl.Platforms.Probing;

/// <summary>The outcome of <see cref="Platform.Probe(ProbeContext)"/>.</summary>
public sealed class ProbeResult
{
    private ProbeResult(ProbeStatus status, string? reason, IReadOnlyList<DeviceInfo> devices)
    {
        Status = status;
        Reason = reason;
        Devices = devices;
    }

    /// <summary>Whether the hardware is usable.</summary>
    public ProbeStatus Status { get; }

    /// <summary>Why the status is what it is, in words a user can act on.</summary>
    public string? Reason { get; }

    /// <summary>The devices found (empty unless <see cref="Status"/> is <see cref="ProbeStatus.Available"/> or the hardware was seen but is unusable).</summary>
    public IReadOnlyList<DeviceInfo> Devices { get; }

    /// <summary>The hardware is present and usable.</summary>
    /// <param name="devices">At least one device.</param>
    /// <param name="reason">Optional note, for example which evidence was used.</param>
    /// <exception cref="ArgumentException">No device was given.</exception>
    public static ProbeResult Available(IReadOnlyList<DeviceInfo> devices, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(devices);
        if (devices.Count == 0)
        {
            throw new ArgumentException("An available platform must report at least one device.", nameof(devices));
        }

        return new ProbeResult(ProbeStatus.Available, reason, devices.ToArray());
    }

    /// <summary>No such hardware on this machine.</summary>
    /// <param name="reason">What was looked for, for example "no PCI device with vendor 0x10de".</param>
    public static ProbeResult NotPresent(string reason) => new(ProbeStatus.NotPresent, reason, []);

    /// <summary>The hardware is present but unusable.</summary>
    /// <param name="reason">Why, and what would fix it.</param>
    /// <param name="devicesSeen">Devices seen without being usable, if any.</param>
    public static ProbeResult Unavailable(string reason, IReadOnlyList<DeviceInfo>? devicesSeen = null) =>
        new(ProbeStatus.Unavailable, reason, devicesSeen?.ToArray() ?? []);
}
