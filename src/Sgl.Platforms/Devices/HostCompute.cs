using Sgl.Platforms.BuiltIn.Cpu;

namespace Sgl.Platforms.Devices;

/// <summary>
/// The host CPU as compute: the CPU reference platform and its device. Runtimes compute here when the selected
/// platform has no device layer, and device programs run operations a device does not support here.
/// </summary>
public static class HostCompute
{
    private static readonly CpuPlatform Reference = new();

    /// <summary>The CPU reference platform (the built-in cpu platform; its parts serve runtimes that compute on the host).</summary>
    public static Platform Platform => Reference;

    /// <summary>Opens a host device for one rank; dispose it when done.</summary>
    /// <param name="rank">The rank it serves.</param>
    public static ComputeDevice OpenDevice(int rank = 0) => Reference.OpenDevice(rank, 0)!;
}
