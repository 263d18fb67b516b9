using System.Globalization;
using Sgl.Platforms.BuiltIn.Cuda;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Testing;
using Sgl.Platforms.Tests.Support;

namespace Sgl.Platforms.Tests.BuiltIn.Cuda;

/// <summary>The NVIDIA shim libraries, compiled once per run and shared by the native CUDA tests.</summary>
public sealed class CudaShims
{
    internal NativeShimBuild Nvml { get; } = NativeShim.Build("BuiltIn/Cuda/nvml_shim.c", "libnvidia-ml.so.1");

    internal NativeShimBuild Cuda { get; } = NativeShim.Build("BuiltIn/Cuda/cuda_shim.c", "libcuda.so.1");

    internal NativeShimBuild Nccl { get; } = NativeShim.Build("BuiltIn/Cuda/nccl_shim.c", "libnccl.so.2");

    /// <summary>The cpu platform probed on a fake host: the reference the cuda platform's tokens are compared with.</summary>
    internal static Sgl.Platforms.BuiltIn.Cpu.CpuPlatform CpuReference()
    {
        using var root = new FakeSystemRoot().WithCpuInfo("reference", 2).WithMemInfo(8L << 30, 4L << 30);
        var reference = new Sgl.Platforms.BuiltIn.Cpu.CpuPlatform();
        reference.Probe(new ProbeContext(root.View()));
        return reference;
    }

    /// <summary>A cuda platform on the NVML and libcuda shims, probed Available with <paramref name="devices"/> GPUs.</summary>
    /// <param name="devices">GPUs the NVML shim reports.</param>
    /// <param name="ncclLibrary">The NCCL library the platform loads for tp &gt; 1 (the shim's path, or a missing one).</param>
    internal CudaPlatform Probed(int devices = 1, string? ncclLibrary = null)
    {
        var nvml = Nvml.PathOrSkip();
        var cuda = Cuda.PathOrSkip();
        using var env = NativeEnvironment.Set(("NVML_SHIM_DEVICE_COUNT", devices.ToString(CultureInfo.InvariantCulture)));
        using var root = new FakeSystemRoot();
        var platform = new CudaPlatform(nvml, cuda, ncclLibrary);
        platform.Probe(new ProbeContext(root.View())).Status.Should().Be(ProbeStatus.Available);
        return platform;
    }
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
