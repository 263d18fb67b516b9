using System.Collections.Frozen;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Serving;

namespace Sgl.Platforms.Testing;

/// <summary>
/// A platform that simulates an accelerator on the CPU, to prove that a runtime reaches device memory only through
/// the contract: its buffers live in native memory, scrambled, so no host span of them means anything; every
/// operation runs by copying its operands out, running the CPU reference and copying the results back, inside
/// the device; and its graph runner captures a step by recording the operations enqueued (a copy to the host
/// during capture fails, as on a real GPU) and replays the record.
/// </summary>
/// <remarks>
/// What the runtime copies is counted at the contract boundary (<see cref="ComputeDevice.Transfers"/>); the
/// simulation's own internal copies are not, as a real device's kernels are not.
/// </remarks>
public sealed class SimulatedDevicePlatform : Platform
{
    private readonly List<SimulatedDevice> _opened = [];

    /// <summary>Creates the platform.</summary>
    /// <param name="name">Its id.</param>
    public SimulatedDevicePlatform(string name = "simulated")
        : base(new PlatformMetadata { Name = name, Kind = PlatformEnum.Oot, Vendor = "Sgl test kit" })
    {
    }

    /// <summary>The operations the device runs itself; every one but the all-reduce by default.</summary>
    public IReadOnlySet<OperationKind> Operations { get; init; } =
        Enum.GetValues<OperationKind>().Where(k => k != OperationKind.AllReduce).ToFrozenSet();

    /// <summary>Whether the platform offers graph capture (the recording graph runner); true by default.</summary>
    public bool GraphCapture { get; init; } = true;

    /// <summary>Whether operations it does not run may fall back to the CPU reference; true by default.</summary>
    public bool CpuFallback { get; init; } = true;

    /// <summary>The simulated device memory in bytes.</summary>
    public long MemoryBytes { get; init; } = 4L << 30;

    /// <summary>The devices opened so far (one per rank), to inspect what they did.</summary>
    public IReadOnlyList<SimulatedDevice> OpenedDevices
    {
        get
        {
            lock (_opened)
            {
                return [.. _opened];
            }
        }
    }

    /// <inheritdoc />
    public override long GetFreeMemory(int deviceIndex) => MemoryBytes - OpenedDevices.Where(d => !d.IsDisposed).Sum(d => d.LiveBytes);

    /// <inheritdoc />
    protected override ProbeResult ProbeCore(ProbeContext context) =>
        ProbeResult.Available([new DeviceInfo(0, "simulated accelerator") { MemoryBytes = MemoryBytes, Capability = "sim" }]);

    /// <inheritdoc />
    protected override PlatformCapabilities DescribeCapabilities(IReadOnlyList<DeviceInfo> devices) => new()
    {
        MaxLocalRanks = devices.Count,
        Operations = Operations,
        GraphCapture = GraphCapture,
        CpuFallback = CpuFallback,
    };

    /// <inheritdoc />
    protected override ComputeDevice OpenDeviceCore(int rank, int deviceIndex)
    {
        var device = new SimulatedDevice(this, deviceIndex);
        lock (_opened)
        {
            _opened.Add(device);
        }

        return device;
    }

    /// <inheritdoc />
    protected override ServingHooks CreateServingHooks() => new SimulatedServingHooks(this);

    private sealed class SimulatedServingHooks(SimulatedDevicePlatform platform) : ServingHooks(platform)
    {
        public override IGraphRunner? CreateGraphRunner(ComputeDevice device) => new RecordingGraphRunner((SimulatedDevice)device);
    }

    /// <summary>Captures a step as the list of operations it enqueued, and replays that list.</summary>
    private sealed class RecordingGraphRunner(SimulatedDevice device) : IGraphRunner
    {
        private readonly Dictionary<int, DeviceOperation[]> _graphs = [];

        public string Name => "simulated-graph";

        public void Capture(int batchSize, Action enqueueStep) => CaptureOnce(batchSize, enqueueStep);

        public void Run(int batchSize, Action enqueueStep) => device.Replay(CaptureOnce(batchSize, enqueueStep));

        private DeviceOperation[] CaptureOnce(int batchSize, Action enqueueStep)
        {
            ArgumentNullException.ThrowIfNull(enqueueStep);
            if (!_graphs.TryGetValue(batchSize, out var graph))
            {
                device.BeginCapture();
                try
                {
                    enqueueStep();
                }
                finally
                {
                    graph = device.EndCapture();
                }

                _graphs[batchSize] = graph;
            }

            return graph;
        }

        public void Dispose() => _graphs.Clear();
    }
}
