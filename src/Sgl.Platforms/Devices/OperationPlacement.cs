namespace Sgl.Platforms.Devices;

/// <summary>Where one operation of a <see cref="DeviceProgram"/> runs.</summary>
/// <param name="Operation">The operation.</param>
/// <param name="Where">The kind of place.</param>
/// <param name="Runner">Its name: the platform, the attention backend, the communicator's backend, or <c>cpu reference</c>.</param>
public sealed record OperationPlacement(DeviceOperation Operation, PlacementKind Where, string Runner);
