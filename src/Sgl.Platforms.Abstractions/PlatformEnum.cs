namespace Sgl.Platforms;

/// <summary>The family of hardware a <see cref="Platform"/> drives.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "The name is fixed by the RFC and shared with the Python runtimes.")]
public enum PlatformEnum
{
    /// <summary>NVIDIA GPUs through CUDA.</summary>
    Cuda,

    /// <summary>AMD GPUs through ROCm/HIP.</summary>
    Rocm,

    /// <summary>Huawei Ascend NPUs through CANN.</summary>
    Npu,

    /// <summary>Intel GPUs (XPU) through oneAPI/Level Zero.</summary>
    Xpu,

    /// <summary>Intel Gaudi accelerators (HPU) through the Habana stack.</summary>
    Hpu,

    /// <summary>The host CPU.</summary>
    Cpu,

    /// <summary>An out-of-tree platform shipped by a vendor as a plugin package.</summary>
    Oot,
}
