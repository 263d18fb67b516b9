namespace Sgl.Platforms.Devices;

/// <summary>What running one operation on the CPU reference has cost so far.</summary>
/// <param name="Operation">The operation.</param>
/// <param name="Runs">Times it ran.</param>
/// <param name="BytesToHost">Bytes copied from the device, in all runs.</param>
/// <param name="BytesToDevice">Bytes copied back to the device, in all runs.</param>
/// <param name="Elapsed">Time spent, waiting for the device included, in all runs.</param>
public sealed record FallbackCost(DeviceOperation Operation, long Runs, long BytesToHost, long BytesToDevice, TimeSpan Elapsed);
