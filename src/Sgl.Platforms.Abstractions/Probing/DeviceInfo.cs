namespace Sgl.Platforms.Probing;

/// <summary>One device a probe found.</summary>
/// <param name="Index">The device's index as the platform numbers it (0-based).</param>
/// <param name="Name">The device's marketing or driver name.</param>
public sealed record DeviceInfo(int Index, string Name)
{
    /// <summary>Total device memory in bytes, when known.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>The compute capability or architecture (for example <c>9.0</c> or <c>gfx942</c>), when known.</summary>
    public string? Capability { get; init; }

    /// <summary>The device's stable unique id, when known.</summary>
    public string? Uuid { get; init; }

    /// <summary>The PCI address (domain:bus:device.function), when known.</summary>
    public string? PciBusId { get; init; }

    /// <summary>The kernel or user-mode driver version, when known.</summary>
    public string? DriverVersion { get; init; }
}
