using Sgl.Platforms.Devices;
using Sgl.Platforms.Serving;

namespace Sgl.Platforms.BuiltIn.Cpu;

/// <summary>The cpu platform's serving part: host-memory defaults, a capped KV pool and the in-process or shared-memory communicator.</summary>
internal sealed class CpuServingHooks(CpuPlatform platform) : ServingHooks(platform)
{
    /// <summary>
    /// The most slots a pool sized from free memory gets. Host memory is shared with the OS and every other
    /// process, and no single run of the reference runtime needs more; an explicit MaxTokens goes beyond it.
    /// </summary>
    public const int MaxDerivedTokens = 1 << 16;

    /// <summary>The memory fraction used when the user gives none: host memory is shared with everything else on the machine.</summary>
    private const double DefaultMemFractionStatic = 0.2;

    /// <summary>Fills only unset values: the simd attention backend, float32 weights and KV, gloo, a modest memory fraction.</summary>
    /// <param name="args">The arguments.</param>
    public override void ApplyServerArgsDefaults(ServerArgs args)
    {
        base.ApplyServerArgsDefaults(args);
        args.MemFractionStatic ??= DefaultMemFractionStatic;
        args.DataType ??= ElementType.Float32;
        args.KvCacheDataType ??= ElementType.Float32;
    }

    /// <inheritdoc />
    public override IKvPool CreateKvPool(ComputeDevice device, KvPoolRequest request) => KvPool.Create(device, request, MaxDerivedTokens);

    /// <inheritdoc />
    /// <remarks>Ranks that are threads of one process meet in memory; ranks that are processes share a memory segment.</remarks>
    public override IDeviceCommunicator? CreateCommunicator(ComputeDevice device, DeviceCommunicatorContext context) =>
        context.Rendezvous is null ? new CpuCommunicator(context) : new SharedMemoryCommunicator(context);
}
