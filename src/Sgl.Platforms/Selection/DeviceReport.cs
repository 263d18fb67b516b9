using Sgl.Platforms.Probing;

namespace Sgl.Platforms.Selection;

/// <summary>A device as the selection report shows it.</summary>
/// <param name="Index">The device index.</param>
/// <param name="Name">The device name.</param>
/// <param name="MemoryBytes">Total memory in bytes, when known.</param>
/// <param name="Capability">Compute capability or architecture, when known.</param>
/// <param name="Uuid">Unique id, when known.</param>
/// <param name="PciBusId">PCI address, when known.</param>
public sealed record DeviceReport(int Index, string Name, long? MemoryBytes, string? Capability, string? Uuid, string? PciBusId)
{
    internal static DeviceReport From(DeviceInfo device) =>
        new(device.Index, device.Name, device.MemoryBytes, device.Capability, device.Uuid, device.PciBusId);
}
