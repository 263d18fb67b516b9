namespace Sgl.Platform.Musa.Mtml;

/// <summary>One device as MTML reports it; fields are null where MTML could not say.</summary>
/// <param name="Index">MTML's device index.</param>
/// <param name="Name">The marketing name, for example <c>MTT S4000</c>.</param>
/// <param name="Uuid">The device UUID.</param>
/// <param name="PciBusId">The PCI address (segment:bus:device.function).</param>
/// <param name="TotalMemoryBytes">Total device memory in bytes.</param>
/// <param name="DriverVersion">The kernel driver version.</param>
internal sealed record MtmlDevice(int Index, string? Name, string? Uuid, string? PciBusId, long? TotalMemoryBytes, string? DriverVersion);
