namespace Sgl.Platforms.Devices;

/// <summary>What has crossed between the host and a device through the contract's copies, counted at the contract boundary.</summary>
/// <param name="BytesToDevice">Bytes copied host to device.</param>
/// <param name="BytesToHost">Bytes copied device to host.</param>
/// <param name="CopiesToDevice">Host-to-device copies.</param>
/// <param name="CopiesToHost">Device-to-host copies.</param>
public readonly record struct DeviceTransfers(long BytesToDevice, long BytesToHost, long CopiesToDevice, long CopiesToHost)
{
    /// <summary>Bytes in both directions.</summary>
    public long TotalBytes => BytesToDevice + BytesToHost;

    /// <summary>What crossed between <paramref name="earlier"/> and <paramref name="later"/>.</summary>
    /// <param name="later">The later reading.</param>
    /// <param name="earlier">The earlier reading.</param>
    public static DeviceTransfers operator -(DeviceTransfers later, DeviceTransfers earlier) => new(
        later.BytesToDevice - earlier.BytesToDevice,
        later.BytesToHost - earlier.BytesToHost,
        later.CopiesToDevice - earlier.CopiesToDevice,
        later.CopiesToHost - earlier.CopiesToHost);

    /// <summary>The difference of two readings.</summary>
    /// <param name="earlier">The earlier reading.</param>
    public DeviceTransfers Subtract(DeviceTransfers earlier) => this - earlier;
}
