using Sgl.Platforms.Devices;

namespace Sgl.Runtime.Entrypoints;

/// <summary>What the operations of one kind that fell back to the CPU reference cost per decode step.</summary>
/// <param name="Operation">The operation kind.</param>
/// <param name="PerStep">How many of them run per step.</param>
/// <param name="BytesPerStep">Bytes they copied between host and device per step, both ways.</param>
/// <param name="MillisecondsPerStep">Time they took per step, waiting for the device included.</param>
public sealed record FallbackSummary(string Operation, int PerStep, double BytesPerStep, double MillisecondsPerStep)
{
    internal static IReadOnlyList<FallbackSummary> Of(DeviceProgram program, int steps) =>
        [.. program.FallbackCosts
            .GroupBy(c => c.Operation.Kind)
            .Select(g => new FallbackSummary(
                g.Key.ToString(),
                g.Count(),
                steps == 0 ? 0 : (double)g.Sum(c => c.BytesToHost + c.BytesToDevice) / steps,
                steps == 0 ? 0 : g.Sum(c => c.Elapsed.TotalMilliseconds) / steps))];
}
