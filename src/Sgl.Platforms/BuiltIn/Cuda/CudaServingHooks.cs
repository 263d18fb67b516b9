using Sgl.Platforms.Devices;
using Sgl.Platforms.Serving;

namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>The cuda platform's serving part: nccl as the distributed backend (the base fills it), NCCL all-reduce, and CUDA graphs for decode steps.</summary>
internal sealed class CudaServingHooks(CudaPlatform platform) : ServingHooks(platform)
{
    /// <inheritdoc />
    public override IGraphRunner? CreateGraphRunner(ComputeDevice device) => device is CudaDevice cuda ? new CudaGraphRunner(cuda) : null;

    /// <inheritdoc />
    /// <remarks>Loads NCCL (only here: a tp 1 run never does) and joins the group; every rank blocks until all have joined.</remarks>
    /// <exception cref="NotSupportedException">NCCL could not be loaded; the message says what to install or set.</exception>
    /// <exception cref="NcclException">This rank could not join the group; the message has NCCL's reason.</exception>
    public override IDeviceCommunicator? CreateCommunicator(ComputeDevice device, DeviceCommunicatorContext context) =>
        device is CudaDevice cuda ? new NcclCommunicator(platform.LoadNccl(), cuda, context) : null;
}
