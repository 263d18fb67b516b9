using System.Composition;
using System.Globalization;
using Sgl.Platforms.ExtensionPoints;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.BuiltIn.Cpu;

/// <summary>
/// The built-in cpu platform: always available, one device (the host). Complete end to end: a host-memory
/// KV pool, a SIMD attention backend, an eager graph runner and an in-process communicator whose
/// tensor-parallel ranks are threads.
/// </summary>
/// <remarks>
/// Every rank uses device 0; <see cref="MaxLocalRanks"/> is the number of logical cores, so a tensor-parallel
/// size up to the core count is accepted (more ranks than cores would only time-slice).
/// </remarks>
[Export(typeof(Platform))]
[PlatformMetadata("cpu", Kind = PlatformEnum.Cpu, Priority = 0, Vendor = "Sgl")]
public sealed class CpuPlatform : Platform
{
    /// <summary>The name of the cpu attention backend.</summary>
    public const string AttentionBackendName = "simd";

    /// <summary>The memory fraction used when the user gives none: host memory is shared with everything else on the machine.</summary>
    private const double DefaultMemFractionStatic = 0.2;

    private HostCpu? _host;
    private SystemView _system = SystemView.Host;

    /// <inheritdoc />
    public override string DeviceName => "cpu";

    /// <inheritdoc />
    public override string DeviceType => "cpu";

    /// <inheritdoc />
    public override PlatformEnum Kind => PlatformEnum.Cpu;

    /// <inheritdoc />
    public override string DistributedBackend => "gloo";

    /// <summary>Logical cores: each tensor-parallel rank runs on its own thread.</summary>
    public override int MaxLocalRanks => Volatile.Read(ref _host)?.LogicalCores ?? Environment.ProcessorCount;

    /// <summary>Every rank shares the host, device 0.</summary>
    /// <param name="localRank">The rank's index on this node.</param>
    public override int GetDeviceIndex(int localRank) => 0;

    /// <inheritdoc />
    protected override ProbeResult ProbeCore(ProbeContext context)
    {
        var host = HostCpu.Read(context.System);
        _system = context.System;
        Volatile.Write(ref _host, host);
        // The core count goes in the reason, which has room for it; the name stays the model name tables show.
        var device = new DeviceInfo(0, host.ModelName)
        {
            MemoryBytes = host.MemoryBytes,
            Capability = host.Isa,
        };
        return ProbeResult.Available([device], string.Create(CultureInfo.InvariantCulture, $"host CPU, {host.LogicalCores} logical cores, {host.Note}"));
    }

    /// <summary>Checks the rank fits the host; there is no driver to initialise.</summary>
    /// <param name="rank">The global rank.</param>
    /// <param name="localRank">The rank on this node.</param>
    public override void InitializeDevice(int rank, int localRank)
    {
        if (localRank < 0 || localRank >= MaxLocalRanks)
        {
            throw new ArgumentOutOfRangeException(nameof(localRank), localRank, $"The cpu platform runs at most {MaxLocalRanks} ranks (one per logical core).");
        }
    }

    /// <summary>Total host memory (MemTotal), or the GC's limit when the host was not probed.</summary>
    /// <param name="deviceIndex">Always 0.</param>
    public override long GetTotalMemory(int deviceIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(deviceIndex, 0);
        return Volatile.Read(ref _host)?.MemoryBytes ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    /// <summary>MemAvailable from <c>/proc/meminfo</c> now, or what the GC says is left when that is unreadable.</summary>
    /// <param name="deviceIndex">Always 0.</param>
    public override long GetFreeMemory(int deviceIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(deviceIndex, 0);
        if (HostCpu.ReadMemInfoBytes(_system, "MemAvailable") is { } available)
        {
            return available;
        }

        var gc = GC.GetGCMemoryInfo();
        return Math.Max(0, gc.TotalAvailableMemoryBytes - gc.MemoryLoadBytes);
    }

    /// <inheritdoc />
    public override Type? GetGraphRunnerType() => typeof(CpuEagerGraphRunner);

    /// <inheritdoc />
    public override IKvPool CreateKvPool(KvPoolRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return CpuKvPool.Create(request, GetFreeMemory(0));
    }

    /// <summary>Fills only unset values: the simd attention backend, float32 KV, gloo, a modest memory fraction.</summary>
    /// <param name="args">The arguments.</param>
    public override void ApplyServerArgsDefaults(ServerArgs args)
    {
        base.ApplyServerArgsDefaults(args);
        args.AttentionBackend ??= AttentionBackendName;
        args.MemFractionStatic ??= DefaultMemFractionStatic;
        args.KvCacheDataType ??= KvCacheDataType.Float32;
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, Func<AttentionBackendContext, IAttentionBackend>> GetAttentionBackends() =>
        new Dictionary<string, Func<AttentionBackendContext, IAttentionBackend>>(StringComparer.Ordinal)
        {
            [AttentionBackendName] = static context => new CpuAttentionBackend(context),
        };

    /// <inheritdoc />
    public override Type? GetDeviceCommunicatorType() => typeof(CpuCommunicator);

    /// <summary>Fills only unset values: nothing is offloaded, since the model already lives in host memory.</summary>
    /// <param name="args">The arguments.</param>
    public override void ApplyDiffusionArgsDefaults(DiffusionArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        args.CpuOffload ??= false;
    }
}
