using Sgl.Platforms.Matching;

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

    /// <summary>
    /// A built-in's <c>[PlatformMetadata]</c>, as data. Reading the attributes through reflection costs a
    /// cold process ~7 ms (the attribute blobs' type names are parsed, reflection stubs jitted) on every
    /// start, with or without plugins; a test keeps this in step with the attributes.
    /// </summary>
    public static PlatformMetadata MetadataOf(Type builtIn) => builtIn switch
    {
        _ when builtIn == typeof(Cuda.CudaPlatform) => Describe("cuda", PlatformEnum.Cuda, PlatformPriorities.BuiltInAccelerator, "NVIDIA"),
        _ when builtIn == typeof(Rocm.RocmPlatform) => Describe("rocm", PlatformEnum.Rocm, PlatformPriorities.BuiltInAccelerator, "AMD"),
        _ when builtIn == typeof(Npu.NpuPlatform) => Describe("npu", PlatformEnum.Npu, PlatformPriorities.BuiltInAccelerator, "Huawei"),
        _ when builtIn == typeof(Xpu.XpuPlatform) => Describe("xpu", PlatformEnum.Xpu, PlatformPriorities.BuiltInAccelerator, "Intel"),
        _ when builtIn == typeof(Hpu.HpuPlatform) => Describe("hpu", PlatformEnum.Hpu, PlatformPriorities.BuiltInAccelerator, "Intel Habana"),
        _ when builtIn == typeof(Cpu.CpuPlatform) => Describe("cpu", PlatformEnum.Cpu, PlatformPriorities.Cpu, "Sgl"),
        _ => throw new ArgumentException($"{builtIn} is not a built-in platform.", nameof(builtIn)),
    };

    private static PlatformMetadata Describe(string name, PlatformEnum kind, int priority, string vendor) =>
        new() { Name = name, Kind = kind, Priority = priority, Vendor = vendor };

    /// <summary>
    /// A built-in's <c>[HardwareMatch]</c> rules, as data for the same reason as <see cref="MetadataOf"/>. Each covers
    /// everything its probe counts as evidence, so a half-installed machine still probes (and reports Unavailable).
    /// </summary>
    public static IReadOnlyList<HardwareRule> HardwareRulesOf(Type builtIn) => builtIn switch
    {
        // Arrays rather than collection expressions: those synthesize list types whose methods a cold start would jit.
        _ when builtIn == typeof(Cuda.CudaPlatform) => new[] { Pci(Cuda.CudaProbe.NvidiaVendorId, Accelerators), Nodes("nvidia*") },
        _ when builtIn == typeof(Rocm.RocmPlatform) => new[] { Pci(Rocm.RocmProbe.AmdVendorId, Accelerators), Nodes("kfd"), new HardwareRule(null) { KernelDrivers = new[] { "amdgpu" } } },
        _ when builtIn == typeof(Npu.NpuPlatform) => new[] { Pci(Npu.NpuProbe.HuaweiVendorId, Accelerators), Nodes("davinci*") },
        _ when builtIn == typeof(Xpu.XpuPlatform) => new[] { Pci(Xpu.XpuProbe.IntelVendorId, Accelerators) },
        _ when builtIn == typeof(Hpu.HpuPlatform) => new[] { Pci(Hpu.HpuProbe.HabanaVendorId, Array.Empty<ushort>()) },
        _ when builtIn == typeof(Cpu.CpuPlatform) => Array.Empty<HardwareRule>(),
        _ => throw new ArgumentException($"{builtIn} is not a built-in platform.", nameof(builtIn)),
    };

    /// <summary>Display controllers (0x03) and processing accelerators (0x12): what <c>SystemView.FindPciDevices</c> keeps.</summary>
    private static readonly ushort[] Accelerators = new ushort[] { 0x03, 0x12 };

    private static HardwareRule Pci(ushort vendor, ushort[] classes) => new(vendor) { PciClasses = classes };

    private static HardwareRule Nodes(string pattern) => new(null) { DeviceNodes = new[] { pattern } };

    /// <summary>Names no plugin may take.</summary>
    public static IReadOnlySet<string> ReservedNames { get; } =
        new HashSet<string>(["cuda", "rocm", "npu", "xpu", "hpu", "cpu"], StringComparer.Ordinal);
}
