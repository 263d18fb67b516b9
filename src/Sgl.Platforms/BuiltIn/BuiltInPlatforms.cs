namespace Sgl.Platforms.BuiltIn;

/// <summary>The platforms that ship inside the host; their names are reserved.</summary>
internal static class BuiltInPlatforms
{
    /// <summary>The built-in platform types, exported through the same MEF path as a vendor's.</summary>
    public static IReadOnlyList<Type> Types { get; } =
    [
        typeof(Cuda.CudaPlatform),
        typeof(Rocm.RocmPlatform),
        typeof(Npu.NpuPlatform),
        typeof(Xpu.XpuPlatform),
        typeof(Hpu.HpuPlatform),
        typeof(Cpu.CpuPlatform),
    ];

    /// <summary>Names no plugin may take.</summary>
    public static IReadOnlySet<string> ReservedNames { get; } =
        new HashSet<string>(["cuda", "rocm", "npu", "xpu", "hpu", "cpu"], StringComparer.Ordinal);
}
