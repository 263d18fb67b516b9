namespace Sgl.Platforms;

/// <summary>The priorities the ranking rules are built on.</summary>
public static class PlatformPriorities
{
    /// <summary>The CPU fallback: lowest, so any available accelerator wins.</summary>
    public const int Cpu = 0;

    /// <summary>The built-in accelerators (cuda, rocm, npu, xpu, hpu).</summary>
    public const int BuiltInAccelerator = 100;

    /// <summary>
    /// The default for vendor plugins: above the built-ins, so a vendor's platform wins on its own
    /// hardware even when a CUDA-alike built-in also reports a device.
    /// </summary>
    public const int OutOfTree = 200;
}
