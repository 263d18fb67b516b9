using Sgl.Platforms.ExtensionPoints;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms;

/// <summary>
/// One hardware platform. Derive from this class, export it with <c>[Export(typeof(Platform))]</c> and
/// <see cref="PlatformMetadataAttribute"/>, and the host probes, ranks and selects it at startup.
/// </summary>
/// <remarks>
/// <para>The constructor must be cheap and must not touch hardware: the host may construct a platform
/// only to probe it. <see cref="Probe(ProbeContext)"/> must be side-effect free (for CUDA: NVML only,
/// never libcuda or cuInit); device and driver initialisation belongs in
/// <see cref="InitializeDevice(int, int)"/>, which only the selected platform receives.</para>
/// <para>Members a runtime does not need have safe defaults; the serving runtime never calls the
/// diffusion-only members and the diffusion runtime never calls the serving-only ones.</para>
/// </remarks>
public abstract class Platform
{
    private ProbeResult? _lastProbe;

    /// <summary>The platform's id, the same as its metadata name (for example <c>cuda</c>, <c>rocm</c>, <c>musa</c>).</summary>
    public abstract string DeviceName { get; }

    /// <summary>The device type tensors use on this platform (ROCm uses <c>cuda</c>, for example).</summary>
    public abstract string DeviceType { get; }

    /// <summary>The hardware family.</summary>
    public abstract PlatformEnum Kind { get; }

    /// <summary>True for NVIDIA CUDA.</summary>
    public bool IsCuda => Kind == PlatformEnum.Cuda;

    /// <summary>True for AMD ROCm.</summary>
    public bool IsRocm => Kind == PlatformEnum.Rocm;

    /// <summary>True for Ascend NPU.</summary>
    public bool IsNpu => Kind == PlatformEnum.Npu;

    /// <summary>True for Intel XPU.</summary>
    public bool IsXpu => Kind == PlatformEnum.Xpu;

    /// <summary>True for Intel Gaudi HPU.</summary>
    public bool IsHpu => Kind == PlatformEnum.Hpu;

    /// <summary>True for the host CPU.</summary>
    public bool IsCpu => Kind == PlatformEnum.Cpu;

    /// <summary>True for vendor plugins.</summary>
    public bool IsOutOfTree => Kind == PlatformEnum.Oot;

    /// <summary>True when CUDA code paths apply (CUDA and ROCm; a vendor may override for a CUDA-compatible stack).</summary>
    public virtual bool IsCudaAlike => Kind is PlatformEnum.Cuda or PlatformEnum.Rocm;

    /// <summary>The distributed backend name (nccl, rccl, hccl, xccl, gloo, mccl...).</summary>
    public virtual string DistributedBackend => "gloo";

    /// <summary>The environment variable that limits which devices a process sees (for example <c>CUDA_VISIBLE_DEVICES</c>), or null.</summary>
    public virtual string? DeviceVisibilityEnvironmentVariable => null;

    /// <summary>
    /// How many ranks of one node this platform can run: one per device by default. A platform whose ranks
    /// share a device (the host CPU runs each rank on its own threads) returns more.
    /// </summary>
    public virtual int MaxLocalRanks => Devices.Count;

    /// <summary>The device a local rank runs on: the rank itself by default; platforms whose ranks share devices map several ranks to one.</summary>
    /// <param name="localRank">The rank's index on its node.</param>
    public virtual int GetDeviceIndex(int localRank) => localRank;

    /// <summary>The result of the latest <see cref="Probe(ProbeContext)"/>, or null before any.</summary>
    public ProbeResult? LastProbeResult => Volatile.Read(ref _lastProbe);

    /// <summary>The devices of the latest available probe.</summary>
    public IReadOnlyList<DeviceInfo> Devices => LastProbeResult is { Status: ProbeStatus.Available } p ? p.Devices : [];

    /// <summary>Looks for the hardware without initialising it.</summary>
    /// <param name="context">The system view and the probe's cancellation token.</param>
    /// <returns>What was found.</returns>
    /// <exception cref="InvalidOperationException">The platform's probe returned null.</exception>
    public ProbeResult Probe(ProbeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = ProbeCore(context)
            ?? throw new InvalidOperationException($"The probe of platform '{DeviceName}' returned null; a probe must return ProbeResult.Available, NotPresent or Unavailable.");
        Volatile.Write(ref _lastProbe, result);
        return result;
    }

    /// <summary>
    /// Takes a probe result obtained elsewhere (a probe run in an isolated child process) without
    /// running this platform's probe in the current process.
    /// </summary>
    internal void AdoptProbeResult(ProbeResult result) => Volatile.Write(ref _lastProbe, result);

    /// <summary>Looks for the hardware. Read only through <paramref name="context"/>'s system view; never initialise a driver.</summary>
    /// <param name="context">The system view and the probe's cancellation token.</param>
    /// <returns>What was found; never null.</returns>
    protected abstract ProbeResult ProbeCore(ProbeContext context);

    /// <summary>Initialises the device of one rank (the driver context, for example). Only the selected platform receives this.</summary>
    /// <param name="rank">The global rank.</param>
    /// <param name="localRank">The rank on this node; <see cref="GetDeviceIndex(int)"/> maps it to a device.</param>
    public virtual void InitializeDevice(int rank, int localRank)
    {
    }

    /// <summary>Total memory of a device in bytes (from the probe by default).</summary>
    /// <param name="deviceIndex">The device.</param>
    public virtual long GetTotalMemory(int deviceIndex) => DeviceAt(deviceIndex).MemoryBytes ?? 0;

    /// <summary>Free memory of a device in bytes (the total by default; platforms that can ask the driver override this).</summary>
    /// <param name="deviceIndex">The device.</param>
    public virtual long GetFreeMemory(int deviceIndex) => GetTotalMemory(deviceIndex);

    /// <summary>The device's compute capability, when the platform has one.</summary>
    /// <param name="deviceIndex">The device.</param>
    public virtual DeviceCapability? GetDeviceCapability(int deviceIndex) => null;

    /// <summary>The graph runner type (implements <see cref="IGraphRunner"/>), or null for the runtime's eager runner.</summary>
    public virtual Type? GetGraphRunnerType() => null;

    /// <summary>Creates the serving runtime's KV pool on this platform's device.</summary>
    /// <param name="request">Shape, element type and capacity.</param>
    /// <exception cref="NotSupportedException">The platform has no KV pool.</exception>
    public virtual IKvPool CreateKvPool(KvPoolRequest request) =>
        throw new NotSupportedException($"Platform '{DeviceName}' does not provide a KV pool.");

    /// <summary>
    /// Fills the serving arguments the user left unset with this platform's defaults. Never overrides a
    /// set value. The base fills <see cref="ServerArgs.DistributedBackend"/> from
    /// <see cref="DistributedBackend"/>; overrides call it and add their own defaults.
    /// </summary>
    /// <param name="args">The arguments.</param>
    public virtual void ApplyServerArgsDefaults(ServerArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        args.DistributedBackend ??= DistributedBackend;
    }

    /// <summary>The serving attention backends this platform offers, by name.</summary>
    public virtual IReadOnlyDictionary<string, Func<AttentionBackendContext, IAttentionBackend>> GetAttentionBackends() =>
        new Dictionary<string, Func<AttentionBackendContext, IAttentionBackend>>();

    /// <summary>The device communicator type (implements <see cref="IDeviceCommunicator"/>), or null when the platform has none.</summary>
    public virtual Type? GetDeviceCommunicatorType() => null;

    /// <summary>Fills the diffusion arguments the user left unset. Never overrides a set value.</summary>
    /// <param name="args">The arguments.</param>
    public virtual void ApplyDiffusionArgsDefaults(DiffusionArgs args)
    {
    }

    /// <summary>The diffusion runtime's attention backend name for this platform.</summary>
    /// <param name="selectedBackend">The backend the user asked for, or null.</param>
    /// <param name="headSize">Elements per attention head.</param>
    /// <param name="dataType">The element type.</param>
    public virtual string GetAttnBackendClsStr(string? selectedBackend, int headSize, KvCacheDataType dataType) =>
        selectedBackend ?? "sdpa";

    /// <inheritdoc />
    public override string ToString() => DeviceName;

    private DeviceInfo DeviceAt(int deviceIndex)
    {
        var devices = Devices;
        if (deviceIndex < 0 || deviceIndex >= devices.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(deviceIndex), deviceIndex, $"Platform '{DeviceName}' has {devices.Count} device(s).");
        }

        return devices[deviceIndex];
    }
}
