using Sgl.Platforms.Devices;
using Sgl.Platforms.Serving;

namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>The cuda platform's serving part: nccl as the distributed backend (the base fills it) and CUDA graphs for decode steps.</summary>
internal sealed class CudaServingHooks(CudaPlatform platform) : ServingHooks(platform)
{
    /// <inheritdoc />
    public override IGraphRunner? CreateGraphRunner(ComputeDevice device) => device is CudaDevice cuda ? new CudaGraphRunner(cuda) : null;
}
