using Sgl.Platforms.Serving;

namespace Sgl.Platforms.Devices;

/// <summary>What a <see cref="DeviceProgram"/> is compiled for.</summary>
/// <param name="Device">The rank's device; every operation's buffers are on it.</param>
public sealed record DeviceProgramOptions(ComputeDevice Device)
{
    /// <summary>The rank's attention backend, which runs the attention operations it supports; or null.</summary>
    public IAttentionBackend? AttentionBackend { get; init; }

    /// <summary>The rank's communicator, which runs the all-reduce; or null when the program has none.</summary>
    public IDeviceCommunicator? Communicator { get; init; }

    /// <summary>
    /// Contributed operation sets: a preferred set runs what it supports before the device is asked, a gap-filling set
    /// runs what neither a preferred set nor the device runs, before the CPU reference. Earlier sets win within each group.
    /// </summary>
    public IReadOnlyList<ContributedOperations> ContributedOperations { get; init; } = [];

    /// <summary>
    /// True (the default) when operations the device does not run may run on the CPU reference with copies;
    /// the platform's <see cref="PlatformCapabilities.CpuFallback"/> must allow it too.
    /// </summary>
    public bool AllowCpuFallback { get; init; } = true;

    /// <summary>Buffers whose contents do not change once the program runs (weights): a fallback copies them to the host once.</summary>
    public IReadOnlySet<DeviceBuffer> Constants { get; init; } = new HashSet<DeviceBuffer>();
}
