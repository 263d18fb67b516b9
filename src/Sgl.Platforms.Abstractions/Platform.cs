using System.Globalization;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Diffusion;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Serving;

namespace Sgl.Platforms;

/// <summary>
/// One hardware platform. Derive from this class, export it with <c>[Export(typeof(Platform))]</c> and
/// <see cref="PlatformMetadataAttribute"/>, and the host probes, ranks and selects it at startup.
/// </summary>
/// <remarks>
/// <para>This one object carries the platform's identity (from its metadata, written once), its probe, its
/// <see cref="Capabilities"/>, and device lifecycle and memory (<see cref="OpenDevice(int, int)"/>). What each
/// runtime needs beyond that comes from two separate parts: <see cref="Serving"/> for the serving runtime and
/// <see cref="Diffusion"/> for the diffusion runtime.</para>
/// <para>The constructor must be cheap and must not touch hardware: the host may construct a platform only to
/// probe it. <see cref="Probe(ProbeContext)"/> must be side-effect free (for CUDA: NVML only, never libcuda or
/// cuInit); driver initialisation belongs in <see cref="OpenDeviceCore(int, int)"/>, which only the selected
/// platform receives.</para>
/// </remarks>
public abstract class Platform
{
    private ProbeResult? _lastProbe;
    private DescribedCapabilities? _capabilities;
    private ServingHooks? _serving;
    private DiffusionHooks? _diffusion;

    /// <summary>Creates the platform with the identity its class's <see cref="PlatformMetadataAttribute"/> declares.</summary>
    /// <exception cref="InvalidOperationException">The class has no <see cref="PlatformMetadataAttribute"/>.</exception>
    protected Platform()
    {
        Metadata = PlatformMetadata.Of(GetType()) ?? throw new InvalidOperationException(
            $"{GetType().FullName} has no [PlatformMetadata(\"name\", ...)]; add it next to [Export(typeof(Platform))], or pass the metadata to the Platform(PlatformMetadata) constructor.");
    }

    /// <summary>Creates a platform whose identity is given rather than declared by an attribute (tests, generated platforms).</summary>
    /// <param name="metadata">The platform's identity.</param>
    protected Platform(PlatformMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        Metadata = metadata;
    }

    /// <summary>The platform's identity: name, kind, priority and vendor, as its metadata declares them.</summary>
    public PlatformMetadata Metadata { get; }

    /// <summary>The platform's id, the metadata name (for example <c>cuda</c>, <c>rocm</c>, <c>musa</c>).</summary>
    public string DeviceName => Metadata.Name;

    /// <summary>The hardware family, from the metadata.</summary>
    public PlatformEnum Kind => Metadata.Kind;

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

    /// <summary>The result of the latest <see cref="Probe(ProbeContext)"/>, or null before any.</summary>
    public ProbeResult? LastProbeResult => Volatile.Read(ref _lastProbe);

    /// <summary>The devices of the latest available probe.</summary>
    public IReadOnlyList<DeviceInfo> Devices => LastProbeResult is { Status: ProbeStatus.Available } p ? p.Devices : [];

    /// <summary>
    /// What the platform can do on the devices of its latest probe, built once per probe by
    /// <see cref="DescribeCapabilities(IReadOnlyList{DeviceInfo})"/> and frozen.
    /// </summary>
    public PlatformCapabilities Capabilities
    {
        get
        {
            var probe = LastProbeResult;
            var cached = Volatile.Read(ref _capabilities);
            if (cached is not null && ReferenceEquals(cached.Probe, probe))
            {
                return cached.Capabilities;
            }

            var described = DescribeCapabilities(Devices)
                ?? throw new InvalidOperationException($"Platform '{DeviceName}' described no capabilities; DescribeCapabilities must return a PlatformCapabilities.");
            Volatile.Write(ref _capabilities, new DescribedCapabilities(probe, described));
            return described;
        }
    }

    /// <summary>The serving runtime's part of the platform (server-args defaults, KV pool, graph runner, communicator).</summary>
    public ServingHooks Serving => LazyInitializer.EnsureInitialized(ref _serving, () => CreateServingHooks()
        ?? throw new InvalidOperationException($"Platform '{DeviceName}' created no serving hooks."));

    /// <summary>The diffusion runtime's part of the platform (diffusion-args defaults, attention backend choice).</summary>
    public DiffusionHooks Diffusion => LazyInitializer.EnsureInitialized(ref _diffusion, () => CreateDiffusionHooks()
        ?? throw new InvalidOperationException($"Platform '{DeviceName}' created no diffusion hooks."));

    /// <summary>The attention backend runtimes use when the user names none, or null when the platform offers none.</summary>
    public virtual string? DefaultAttentionBackend => null;

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

    /// <summary>The device a local rank runs on: the rank itself by default; platforms whose ranks share devices map several ranks to one.</summary>
    /// <param name="localRank">The rank's index on its node.</param>
    public virtual int GetDeviceIndex(int localRank) => localRank;

    /// <summary>
    /// Opens the device of one rank (the driver context, kernels, a stream) for compute. Only the selected
    /// platform receives this. The caller owns the returned device and disposes it, which frees all it holds.
    /// </summary>
    /// <param name="rank">The global rank.</param>
    /// <param name="localRank">The rank on this node, below <see cref="PlatformCapabilities.MaxLocalRanks"/>; <see cref="GetDeviceIndex(int)"/> maps it to a device.</param>
    /// <returns>The opened device, or null when the platform has no device layer (runtimes then compute on the host CPU, and say so).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The rank is negative or beyond <see cref="PlatformCapabilities.MaxLocalRanks"/>.</exception>
    public ComputeDevice? OpenDevice(int rank, int localRank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        var maxRanks = Capabilities.MaxLocalRanks;
        if (localRank < 0 || localRank >= maxRanks)
        {
            throw new ArgumentOutOfRangeException(nameof(localRank), localRank, string.Create(CultureInfo.InvariantCulture,
                $"Platform '{DeviceName}' runs {maxRanks} rank(s) on this node ({Devices.Count} device(s) found); local rank {localRank} is outside that."));
        }

        return OpenDeviceCore(rank, GetDeviceIndex(localRank));
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

    /// <summary>
    /// The attention backends this platform offers, by name, to both runtimes. A backend runs the attention
    /// operations (<see cref="OperationKind.PrefillAttention"/>, <see cref="OperationKind.DecodeAttention"/>,
    /// <see cref="OperationKind.Attention"/>) on an opened device.
    /// </summary>
    public virtual IReadOnlyDictionary<string, Func<AttentionBackendContext, IAttentionBackend>> GetAttentionBackends() => NoAttentionBackends;

    /// <inheritdoc />
    public override string ToString() => DeviceName;

    /// <summary>Looks for the hardware. Read only through <paramref name="context"/>'s system view; never initialise a driver.</summary>
    /// <param name="context">The system view and the probe's cancellation token.</param>
    /// <returns>What was found; never null.</returns>
    protected abstract ProbeResult ProbeCore(ProbeContext context);

    /// <summary>
    /// Describes what the platform can do on <paramref name="devices"/>. The default describes a platform with no
    /// device layer: one rank per device, no operations of its own, float32, no graph capture.
    /// </summary>
    /// <param name="devices">The devices of the latest available probe (empty before one).</param>
    protected virtual PlatformCapabilities DescribeCapabilities(IReadOnlyList<DeviceInfo> devices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        return new PlatformCapabilities { MaxLocalRanks = devices.Count };
    }

    /// <summary>Opens device <paramref name="deviceIndex"/> for rank <paramref name="rank"/>; null (the default) when the platform has no device layer.</summary>
    /// <param name="rank">The global rank.</param>
    /// <param name="deviceIndex">The device, from <see cref="GetDeviceIndex(int)"/>.</param>
    protected virtual ComputeDevice? OpenDeviceCore(int rank, int deviceIndex) => null;

    /// <summary>Creates the serving part; override to return a <see cref="ServingHooks"/> subclass.</summary>
    protected virtual ServingHooks CreateServingHooks() => new(this);

    /// <summary>Creates the diffusion part; override to return a <see cref="DiffusionHooks"/> subclass.</summary>
    protected virtual DiffusionHooks CreateDiffusionHooks() => new(this);

    private static readonly IReadOnlyDictionary<string, Func<AttentionBackendContext, IAttentionBackend>> NoAttentionBackends =
        System.Collections.Frozen.FrozenDictionary<string, Func<AttentionBackendContext, IAttentionBackend>>.Empty;

    /// <summary>Capabilities and the probe they describe, swapped as one reference.</summary>
    private sealed record DescribedCapabilities(ProbeResult? Probe, PlatformCapabilities Capabilities);

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
