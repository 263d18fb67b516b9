namespace Sgl.Platforms;

/// <summary>
/// The hardware checks of the Python runtime (<c>is_cuda()</c>, <c>is_npu()</c>...) as thin wrappers over
/// <see cref="CurrentPlatform.Instance"/>, for code ported from it. New code should ask the platform for
/// what it needs (a backend, a pool, a default) rather than branch on the hardware kind.
/// </summary>
public static class DeviceChecks
{
    /// <summary>True when the current platform is NVIDIA CUDA.</summary>
    public static bool IsCuda() => CurrentPlatform.Instance.IsCuda;

    /// <summary>True when the current platform is AMD ROCm.</summary>
    public static bool IsRocm() => CurrentPlatform.Instance.IsRocm;

    /// <summary>True when the current platform is Ascend NPU.</summary>
    public static bool IsNpu() => CurrentPlatform.Instance.IsNpu;

    /// <summary>True when the current platform is Intel XPU.</summary>
    public static bool IsXpu() => CurrentPlatform.Instance.IsXpu;

    /// <summary>True when the current platform is Intel Gaudi HPU.</summary>
    public static bool IsHpu() => CurrentPlatform.Instance.IsHpu;

    /// <summary>True when the current platform is the host CPU.</summary>
    public static bool IsCpu() => CurrentPlatform.Instance.IsCpu;

    /// <summary>True when CUDA code paths apply to the current platform (CUDA, ROCm, or a vendor that says so).</summary>
    public static bool IsCudaAlike() => CurrentPlatform.Instance.IsCudaAlike;

    /// <summary>True when the current platform is a vendor plugin.</summary>
    public static bool IsOutOfTree() => CurrentPlatform.Instance.IsOutOfTree;
}
