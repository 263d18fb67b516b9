using Sgl.Platforms.Devices;

namespace Sgl.Platforms.Serving;

/// <summary>
/// The serving runtime's part of a platform: server-argument defaults, the KV pool, the graph runner and the
/// device communicator. The defaults describe a platform that adds nothing (contract KV pool, eager steps, no
/// communicator); derive from this class and return it from the platform's <c>CreateServingHooks</c>.
/// </summary>
public class ServingHooks
{
    /// <summary>Creates the part for <paramref name="platform"/>.</summary>
    /// <param name="platform">The platform it belongs to.</param>
    public ServingHooks(Platform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        Platform = platform;
    }

    /// <summary>The platform this part belongs to.</summary>
    public Platform Platform { get; }

    /// <summary>
    /// Fills the serving arguments the user left unset with this platform's defaults. Never overrides a set
    /// value. The base fills <see cref="ServerArgs.DistributedBackend"/> from <see cref="Platform.DistributedBackend"/>
    /// and <see cref="ServerArgs.AttentionBackend"/> from <see cref="Platform.DefaultAttentionBackend"/>; overrides call it.
    /// </summary>
    /// <param name="args">The arguments.</param>
    public virtual void ApplyServerArgsDefaults(ServerArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        args.DistributedBackend ??= Platform.DistributedBackend;
        args.AttentionBackend ??= Platform.DefaultAttentionBackend;
    }

    /// <summary>Creates the KV pool on <paramref name="device"/>: the contract's <see cref="KvPool"/> by default.</summary>
    /// <param name="device">The rank's device.</param>
    /// <param name="request">Shape, element type and capacity.</param>
    public virtual IKvPool CreateKvPool(ComputeDevice device, KvPoolRequest request) => KvPool.Create(device, request);

    /// <summary>
    /// Creates the graph runner for <paramref name="device"/>, or null (the default) for eager steps. Only called
    /// when <see cref="PlatformCapabilities.GraphCapture"/> is true and the user did not disable graph capture.
    /// </summary>
    /// <param name="device">The rank's device.</param>
    public virtual IGraphRunner? CreateGraphRunner(ComputeDevice device) => null;

    /// <summary>Creates the rank's communicator for tensor parallelism, or null (the default) when the platform has none.</summary>
    /// <param name="device">The rank's device.</param>
    /// <param name="context">The rank, the group size and the group's shared state.</param>
    public virtual IDeviceCommunicator? CreateCommunicator(ComputeDevice device, DeviceCommunicatorContext context) => null;
}
