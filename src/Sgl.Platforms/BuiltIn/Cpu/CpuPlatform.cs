using System.Composition;
using System.Globalization;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Serving;

namespace Sgl.Platforms.BuiltIn.Cpu;

/// <summary>
/// The built-in cpu platform: always available, one device (the host). Complete end to end: it runs every
/// device operation (it is the CPU reference the others are checked against), a host-memory KV pool, the
/// simd attention backend, eager steps and an in-process communicator whose tensor-parallel ranks are threads.
/// </summary>
/// <remarks>
/// Every rank uses device 0; the platform runs as many ranks as there are logical cores (more would only
/// time-slice).
/// </remarks>
[Export(typeof(Platform))]
[PlatformMetadata("cpu", Kind = PlatformEnum.Cpu, Priority = 0, Vendor = "Sgl")]
public sealed class CpuPlatform : Platform
{
    /// <summary>The name of the cpu attention backend.</summary>
    public const string AttentionBackendName = "simd";

    /// <summary>Every operation but the all-reduce, which the communicator carries out.</summary>
    private static readonly OperationKind[] ReferenceOperations = [.. Enum.GetValues<OperationKind>().Where(k => k != OperationKind.AllReduce)];

    private HostCpu? _host;
    private SystemView _system = SystemView.Host;

    /// <inheritdoc />
    public override string DistributedBackend => "gloo";

    /// <inheritdoc />
    public override string? DefaultAttentionBackend => AttentionBackendName;

    /// <summary>Every rank shares the host, device 0.</summary>
    /// <param name="localRank">The rank's index on this node.</param>
    public override int GetDeviceIndex(int localRank) => 0;

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
    public override IReadOnlyDictionary<string, Func<AttentionBackendContext, IAttentionBackend>> GetAttentionBackends() =>
        new Dictionary<string, Func<AttentionBackendContext, IAttentionBackend>>(StringComparer.Ordinal)
        {
            [AttentionBackendName] = static context => new CpuAttentionBackend(context.Device),
        };

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

    /// <summary>One rank per logical core, every operation of the reference, float32 only, eager.</summary>
    /// <param name="devices">The host, once probed.</param>
    protected override PlatformCapabilities DescribeCapabilities(IReadOnlyList<DeviceInfo> devices) => new()
    {
        MaxLocalRanks = Volatile.Read(ref _host)?.LogicalCores ?? Environment.ProcessorCount,
        Operations = ReferenceOperations.ToHashSet(),
    };

    /// <summary>The host as a compute device; there is no driver to initialise.</summary>
    /// <param name="rank">The global rank.</param>
    /// <param name="deviceIndex">Always 0.</param>
    protected override ComputeDevice OpenDeviceCore(int rank, int deviceIndex) =>
        new CpuDevice(this, deviceIndex, Devices.Count > 0 ? Devices[0].Name : "host CPU");

    /// <inheritdoc />
    protected override ServingHooks CreateServingHooks() => new CpuServingHooks(this);
}
