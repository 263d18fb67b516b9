using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Sgl.Platforms.ExtensionPoints;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.Testing;

/// <summary>
/// A configurable platform that records every member a runtime calls, by member name, so tests can assert
/// which parts of the contract a runtime uses (for example that the diffusion runtime never asks for a KV pool).
/// </summary>
/// <remarks>Unconfigured members behave like the <see cref="Platform"/> defaults. Thread-safe: ranks on several threads may call it.</remarks>
public sealed class MockPlatform : Platform
{
    private readonly ConcurrentQueue<string> _calls = new();

    /// <summary>Creates a mock called <paramref name="name"/>.</summary>
    /// <param name="name">The platform's id.</param>
    /// <param name="kind">The hardware family.</param>
    public MockPlatform(string name = "mock", PlatformEnum kind = PlatformEnum.Oot)
    {
        Name = name;
        PlatformKind = kind;
    }

    /// <summary>The platform's id.</summary>
    public string Name { get; }

    /// <summary>The hardware family.</summary>
    public PlatformEnum PlatformKind { get; }

    /// <summary>What <see cref="Platform.Probe(ProbeContext)"/> returns; one 16 GiB device by default.</summary>
    public ProbeResult ProbeResult { get; init; } =
        ProbeResult.Available([new DeviceInfo(0, "mock device") { MemoryBytes = 16L << 30, Capability = "mock" }]);

    /// <summary>The attention backends offered; none by default.</summary>
    public IReadOnlyDictionary<string, Func<AttentionBackendContext, IAttentionBackend>> AttentionBackends { get; init; } =
        new Dictionary<string, Func<AttentionBackendContext, IAttentionBackend>>();

    /// <summary>Creates the KV pool; null means the platform has none (<see cref="NotSupportedException"/>, like the base class).</summary>
    public Func<KvPoolRequest, IKvPool>? KvPoolFactory { get; init; }

    /// <summary>The graph runner type; null for the runtime's eager runner.</summary>
    public Type? GraphRunnerType { get; init; }

    /// <summary>The device communicator type; null for none.</summary>
    public Type? DeviceCommunicatorType { get; init; }

    /// <summary>Ranks per node; the probe's device count by default.</summary>
    public int? LocalRanks { get; init; }

    /// <summary>Maps a local rank to a device; identity by default.</summary>
    public Func<int, int>? DeviceIndexOfRank { get; init; }

    /// <summary>Fills serving defaults; nothing by default.</summary>
    public Action<ServerArgs>? ServerArgsDefaults { get; init; }

    /// <summary>Fills diffusion defaults; nothing by default.</summary>
    public Action<DiffusionArgs>? DiffusionArgsDefaults { get; init; }

    /// <summary>Free memory per device; the total by default.</summary>
    public long? FreeMemoryBytes { get; init; }

    /// <summary>Every member called, by name, in call order.</summary>
    public IReadOnlyList<string> Calls => _calls.ToArray();

    /// <inheritdoc />
    public override string DeviceName => Name;

    /// <inheritdoc />
    public override string DeviceType => Name;

    /// <inheritdoc />
    public override PlatformEnum Kind => PlatformKind;

    /// <inheritdoc />
    public override int MaxLocalRanks => Record(LocalRanks ?? base.MaxLocalRanks);

    /// <summary>Forgets the calls recorded so far.</summary>
    public void ClearCalls() => _calls.Clear();

    /// <inheritdoc />
    public override int GetDeviceIndex(int localRank) => Record(DeviceIndexOfRank?.Invoke(localRank) ?? localRank);

    /// <inheritdoc />
    public override void InitializeDevice(int rank, int localRank) => RecordCall();

    /// <inheritdoc />
    public override long GetTotalMemory(int deviceIndex) => Record(base.GetTotalMemory(deviceIndex));

    /// <inheritdoc />
    public override long GetFreeMemory(int deviceIndex) => Record(FreeMemoryBytes ?? base.GetFreeMemory(deviceIndex));

    /// <inheritdoc />
    public override DeviceCapability? GetDeviceCapability(int deviceIndex) => Record<DeviceCapability?>(null);

    /// <inheritdoc />
    public override Type? GetGraphRunnerType() => Record(GraphRunnerType);

    /// <inheritdoc />
    public override IKvPool CreateKvPool(KvPoolRequest request)
    {
        RecordCall();
        return KvPoolFactory is { } factory ? factory(request) : base.CreateKvPool(request);
    }

    /// <inheritdoc />
    public override void ApplyServerArgsDefaults(ServerArgs args)
    {
        RecordCall();
        ServerArgsDefaults?.Invoke(args);
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, Func<AttentionBackendContext, IAttentionBackend>> GetAttentionBackends() => Record(AttentionBackends);

    /// <inheritdoc />
    public override Type? GetDeviceCommunicatorType() => Record(DeviceCommunicatorType);

    /// <inheritdoc />
    public override void ApplyDiffusionArgsDefaults(DiffusionArgs args)
    {
        RecordCall();
        DiffusionArgsDefaults?.Invoke(args);
    }

    /// <inheritdoc />
    public override string GetAttnBackendClsStr(string? selectedBackend, int headSize, KvCacheDataType dataType) =>
        Record(base.GetAttnBackendClsStr(selectedBackend, headSize, dataType));

    /// <inheritdoc />
    protected override ProbeResult ProbeCore(ProbeContext context) => Record(ProbeResult);

    private T Record<T>(T result, [CallerMemberName] string member = "")
    {
        _calls.Enqueue(member);
        return result;
    }

    private void RecordCall([CallerMemberName] string member = "") => _calls.Enqueue(member);
}
