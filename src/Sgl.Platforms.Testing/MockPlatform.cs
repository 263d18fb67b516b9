using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Diffusion;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Serving;

namespace Sgl.Platforms.Testing;

/// <summary>
/// A configurable platform that records every member a runtime calls, by member name, so tests can assert which
/// parts of the contract a runtime uses (for example that the diffusion runtime never asks for a KV pool).
/// </summary>
/// <remarks>
/// Unconfigured members behave like the <see cref="Platform"/> defaults (no device layer). Serving members are
/// recorded through <see cref="Platform.Serving"/> and diffusion members through <see cref="Platform.Diffusion"/>.
/// Thread-safe: ranks on several threads may call it.
/// </remarks>
public sealed class MockPlatform : Platform
{
    private readonly ConcurrentQueue<string> _calls = new();

    /// <summary>Creates a mock called <paramref name="name"/>.</summary>
    /// <param name="name">The platform's id.</param>
    /// <param name="kind">The hardware family.</param>
    public MockPlatform(string name = "mock", PlatformEnum kind = PlatformEnum.Oot)
        : base(new PlatformMetadata { Name = name, Kind = kind })
    {
    }

    /// <summary>What <see cref="Platform.Probe(ProbeContext)"/> returns; one 16 GiB device by default.</summary>
    public ProbeResult ProbeResult { get; init; } =
        ProbeResult.Available([new DeviceInfo(0, "mock device") { MemoryBytes = 16L << 30, Capability = "mock" }]);

    /// <summary>The capabilities; the contract's default (no device layer, one rank per device) when null.</summary>
    public Func<IReadOnlyList<DeviceInfo>, PlatformCapabilities>? CapabilitiesFactory { get; init; }

    /// <summary>Opens a device for (rank, device index); null means the platform has no device layer.</summary>
    public Func<int, int, ComputeDevice?>? DeviceFactory { get; init; }

    /// <summary>The attention backends offered; none by default.</summary>
    public IReadOnlyDictionary<string, Func<AttentionBackendContext, IAttentionBackend>> AttentionBackends { get; init; } =
        new Dictionary<string, Func<AttentionBackendContext, IAttentionBackend>>();

    /// <summary>The default attention backend; none by default.</summary>
    public string? DefaultAttentionBackendName { get; init; }

    /// <summary>Creates the KV pool; null for the contract's <see cref="KvPool"/>.</summary>
    public Func<ComputeDevice, KvPoolRequest, IKvPool>? KvPoolFactory { get; init; }

    /// <summary>Creates the graph runner; null for none (eager steps).</summary>
    public Func<ComputeDevice, IGraphRunner?>? GraphRunnerFactory { get; init; }

    /// <summary>Creates a rank's communicator; null for none.</summary>
    public Func<ComputeDevice, DeviceCommunicatorContext, IDeviceCommunicator?>? CommunicatorFactory { get; init; }

    /// <summary>Maps a local rank to a device; identity by default.</summary>
    public Func<int, int>? DeviceIndexOfRank { get; init; }

    /// <summary>Fills serving defaults; nothing beyond the contract's by default.</summary>
    public Action<ServerArgs>? ServerArgsDefaults { get; init; }

    /// <summary>Fills diffusion defaults; nothing by default.</summary>
    public Action<DiffusionArgs>? DiffusionArgsDefaults { get; init; }

    /// <summary>Free memory per device; the total by default.</summary>
    public long? FreeMemoryBytes { get; init; }

    /// <summary>Every member called, by name, in call order.</summary>
    public IReadOnlyList<string> Calls => _calls.ToArray();

    /// <inheritdoc />
    public override string? DefaultAttentionBackend => Record(DefaultAttentionBackendName);

    /// <summary>Forgets the calls recorded so far.</summary>
    public void ClearCalls() => _calls.Clear();

    /// <inheritdoc />
    public override int GetDeviceIndex(int localRank) => Record(DeviceIndexOfRank?.Invoke(localRank) ?? localRank);

    /// <inheritdoc />
    public override long GetTotalMemory(int deviceIndex) => Record(base.GetTotalMemory(deviceIndex));

    /// <inheritdoc />
    public override long GetFreeMemory(int deviceIndex) => Record(FreeMemoryBytes ?? base.GetFreeMemory(deviceIndex));

    /// <inheritdoc />
    public override DeviceCapability? GetDeviceCapability(int deviceIndex) => Record<DeviceCapability?>(null);

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, Func<AttentionBackendContext, IAttentionBackend>> GetAttentionBackends() => Record(AttentionBackends);

    /// <inheritdoc />
    protected override ProbeResult ProbeCore(ProbeContext context) => Record(ProbeResult);

    /// <inheritdoc />
    protected override PlatformCapabilities DescribeCapabilities(IReadOnlyList<DeviceInfo> devices) =>
        CapabilitiesFactory?.Invoke(devices) ?? base.DescribeCapabilities(devices);

    /// <inheritdoc />
    protected override ComputeDevice? OpenDeviceCore(int rank, int deviceIndex)
    {
        RecordCall("OpenDevice");
        return DeviceFactory?.Invoke(rank, deviceIndex);
    }

    /// <inheritdoc />
    protected override ServingHooks CreateServingHooks() => new RecordingServingHooks(this);

    /// <inheritdoc />
    protected override DiffusionHooks CreateDiffusionHooks() => new RecordingDiffusionHooks(this);

    private T Record<T>(T result, [CallerMemberName] string member = "")
    {
        _calls.Enqueue(member);
        return result;
    }

    private void RecordCall([CallerMemberName] string member = "") => _calls.Enqueue(member);

    private sealed class RecordingServingHooks(MockPlatform mock) : ServingHooks(mock)
    {
        public override void ApplyServerArgsDefaults(ServerArgs args)
        {
            mock.RecordCall();
            base.ApplyServerArgsDefaults(args);
            mock.ServerArgsDefaults?.Invoke(args);
        }

        public override IKvPool CreateKvPool(ComputeDevice device, KvPoolRequest request)
        {
            mock.RecordCall();
            return mock.KvPoolFactory is { } factory ? factory(device, request) : base.CreateKvPool(device, request);
        }

        public override IGraphRunner? CreateGraphRunner(ComputeDevice device)
        {
            mock.RecordCall();
            return mock.GraphRunnerFactory?.Invoke(device);
        }

        public override IDeviceCommunicator? CreateCommunicator(ComputeDevice device, DeviceCommunicatorContext context)
        {
            mock.RecordCall();
            return mock.CommunicatorFactory?.Invoke(device, context);
        }
    }

    private sealed class RecordingDiffusionHooks(MockPlatform mock) : DiffusionHooks(mock)
    {
        public override void ApplyDiffusionArgsDefaults(DiffusionArgs args)
        {
            mock.RecordCall();
            mock.DiffusionArgsDefaults?.Invoke(args);
        }

        public override string? SelectAttentionBackend(string? requested, int headDim, ElementType elementType)
        {
            mock.RecordCall();
            return base.SelectAttentionBackend(requested, headDim, elementType);
        }
    }
}
