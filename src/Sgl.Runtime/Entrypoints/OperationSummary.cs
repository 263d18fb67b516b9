using Sgl.Platforms.Devices;

namespace Sgl.Runtime.Entrypoints;

/// <summary>Operations of one kind that run in one place during a step.</summary>
/// <param name="Operation">The operation kind.</param>
/// <param name="Placement">Device, AttentionBackend, Communicator or CpuFallback.</param>
/// <param name="Runner">The platform, attention backend, communicator or <c>cpu reference</c>.</param>
/// <param name="PerStep">How many run per step.</param>
public sealed record OperationSummary(string Operation, string Placement, string Runner, int PerStep)
{
    internal static IReadOnlyList<OperationSummary> Of(DeviceProgram program) =>
        [.. program.Placements
            .GroupBy(p => (p.Operation.Kind, p.Where, p.Runner))
            .Select(g => new OperationSummary(g.Key.Kind.ToString(), g.Key.Where.ToString(), g.Key.Runner, g.Count()))];
}
