namespace Sgl.Platforms.Devices;

/// <summary>Where a <see cref="DeviceProgram"/> runs an operation.</summary>
public enum PlacementKind
{
    /// <summary>On the platform's device.</summary>
    Device,

    /// <summary>On the rank's attention backend.</summary>
    AttentionBackend,

    /// <summary>On the rank's communicator (the all-reduce).</summary>
    Communicator,

    /// <summary>On a contribution's device operations (<see cref="DeviceProgramOptions.ContributedOperations"/>).</summary>
    Contribution,

    /// <summary>On the CPU reference, with the operands copied to the host and the results back.</summary>
    CpuFallback,
}
