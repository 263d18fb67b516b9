using Sgl.Platforms.Tests.Support;

namespace Sgl.Platforms.Tests.BuiltIn.Cuda;

/// <summary>The NVIDIA shim libraries, compiled once per run and shared by the native CUDA tests.</summary>
public sealed class CudaShims
{
    internal NativeShimBuild Nvml { get; } = NativeShim.Build("BuiltIn/Cuda/nvml_shim.c", "libnvidia-ml.so.1");

    internal NativeShimBuild Cuda { get; } = NativeShim.Build("BuiltIn/Cuda/cuda_shim.c", "libcuda.so.1");

    internal NativeShimBuild Nccl { get; } = NativeShim.Build("BuiltIn/Cuda/nccl_shim.c", "libnccl.so.2");
}

/// <summary>
/// Tests that load the shims or change the native environment run one at a time: the libraries and
/// the environment are process-wide.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeCudaTests : ICollectionFixture<CudaShims>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Native CUDA";
}
