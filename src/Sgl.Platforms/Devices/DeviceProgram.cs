using System.Globalization;
using Sgl.Platforms.Contributions;
using Sgl.Platforms.Serving;

namespace Sgl.Platforms.Devices;

/// <summary>
/// An ordered list of device operations placed once and run many times (a prefill chunk, a decode step). Each
/// operation goes where it can run: the rank's attention backend for attention, the communicator for the
/// all-reduce, a preferred contribution's operations (priority above 0) for what they support, the device for
/// what it <see cref="ComputeDevice.Supports(DeviceOperation)"/>, a gap-filling contribution's operations, and
/// otherwise the CPU reference with copies, as ONNX Runtime places nodes an execution provider cannot take on its
/// CPU provider.
/// The placements and what each fallback costs are reported, so a launch can list them.
/// </summary>
/// <remarks>Running the program allocates nothing; one program belongs to one rank's thread.</remarks>
public sealed class DeviceProgram : IDisposable
{
    private readonly OperationPlacement[] _placements;
    private readonly CpuFallback?[] _fallbacks;
    private readonly IDeviceOperations?[] _contributed;
    private readonly ComputeDevice _device;
    private readonly IAttentionBackend? _attention;
    private readonly IDeviceCommunicator? _communicator;
    private readonly ComputeDevice? _host;

    private DeviceProgram(OperationPlacement[] placements, CpuFallback?[] fallbacks, IDeviceOperations?[] contributed, DeviceProgramOptions options, ComputeDevice? host)
    {
        _placements = placements;
        _fallbacks = fallbacks;
        _contributed = contributed;
        _device = options.Device;
        _attention = options.AttentionBackend;
        _communicator = options.Communicator;
        _host = host;
    }

    /// <summary>Where each operation runs, in program order.</summary>
    public IReadOnlyList<OperationPlacement> Placements => _placements;

    /// <summary>Operations that run on the CPU reference with copies.</summary>
    public int FallbackCount => _fallbacks.Count(f => f is not null);

    /// <summary>What the operations that fell back have cost so far, in program order.</summary>
    public IReadOnlyList<FallbackCost> FallbackCosts => [.. _fallbacks.Where(f => f is not null).Select(f => f!.Cost)];

    /// <summary>
    /// Places <paramref name="operations"/>.
    /// </summary>
    /// <param name="operations">The operations, in the order they run; every buffer on <see cref="DeviceProgramOptions.Device"/>.</param>
    /// <param name="options">The device, the rank's attention backend and communicator, and the fallback rules.</param>
    /// <exception cref="OperationNotSupportedException">An operation has nowhere to run: the device does not support it and CPU fallback is off.</exception>
    /// <exception cref="InvalidOperationException">An all-reduce is in the program but the rank has no communicator.</exception>
    public static DeviceProgram Compile(IEnumerable<DeviceOperation> operations, DeviceProgramOptions options)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(options);
        var device = options.Device;
        var fallbackAllowed = options.AllowCpuFallback && device.Platform.Capabilities.CpuFallback;
        var placements = new List<OperationPlacement>();
        var fallbacks = new List<CpuFallback?>();
        var contributed = new List<IDeviceOperations?>();
        ComputeDevice? host = null;
        try
        {
            foreach (var operation in operations)
            {
                ArgumentNullException.ThrowIfNull(operation, nameof(operations));
                operation.CheckBuffersBelongTo(device);
                var (placement, set) = Place(operation, options, fallbackAllowed);
                CpuFallback? fallback = null;
                if (placement.Where == PlacementKind.CpuFallback)
                {
                    host ??= HostCompute.OpenDevice();
                    fallback = CpuFallback.Create(operation, host, options.Constants);
                }

                placements.Add(placement);
                fallbacks.Add(fallback);
                contributed.Add(set);
            }
        }
        catch
        {
            foreach (var fallback in fallbacks)
            {
                fallback?.Dispose();
            }

            host?.Dispose();
            throw;
        }

        return new DeviceProgram([.. placements], [.. fallbacks], [.. contributed], options, host);
    }

    /// <summary>Enqueues every operation in order; operations that fall back wait for the device and copy synchronously.</summary>
    public void Run()
    {
        for (var i = 0; i < _placements.Length; i++)
        {
            var operation = _placements[i].Operation;
            switch (_placements[i].Where)
            {
                case PlacementKind.Device:
                    _device.Execute(operation);
                    break;
                case PlacementKind.AttentionBackend:
                    _attention!.Execute(operation);
                    break;
                case PlacementKind.Communicator:
                    _communicator!.AllReduce((AllReduceOperation)operation);
                    break;
                case PlacementKind.Contribution:
                    _contributed[i]!.Execute(operation);
                    break;
                default:
                    _fallbacks[i]!.Run();
                    break;
            }
        }
    }

    /// <summary>Frees the host copies the fallbacks keep.</summary>
    public void Dispose()
    {
        foreach (var fallback in _fallbacks)
        {
            fallback?.Dispose();
        }

        _host?.Dispose();
    }

    private static (OperationPlacement Placement, IDeviceOperations? Set) Place(DeviceOperation operation, DeviceProgramOptions options, bool fallbackAllowed)
    {
        var device = options.Device;
        if (operation is AllReduceOperation)
        {
            return options.Communicator is { } communicator
                ? (new OperationPlacement(operation, PlacementKind.Communicator, communicator.Backend), null)
                : throw new InvalidOperationException($"{operation} needs the rank's communicator, and none was given; platform '{device.Platform.DeviceName}' must create one for tensor parallelism.");
        }

        if (operation is PagedAttentionOperation or AttentionOperation && options.AttentionBackend is { } backend && backend.Supports(operation))
        {
            return (new OperationPlacement(operation, PlacementKind.AttentionBackend, backend.Name), null);
        }

        if (Contributed(operation, options, preferred: true) is { } preferred)
        {
            return (new OperationPlacement(operation, PlacementKind.Contribution, preferred.Name), preferred.Operations);
        }

        if (device.Supports(operation))
        {
            return (new OperationPlacement(operation, PlacementKind.Device, device.Platform.DeviceName), null);
        }

        if (Contributed(operation, options, preferred: false) is { } gapFiller)
        {
            return (new OperationPlacement(operation, PlacementKind.Contribution, gapFiller.Name), gapFiller.Operations);
        }

        if (!fallbackAllowed)
        {
            var why = options.AllowCpuFallback ? $"platform '{device.Platform.DeviceName}' does not allow CPU fallback" : "CPU fallback is off";
            throw new OperationNotSupportedException(string.Create(CultureInfo.InvariantCulture,
                $"Platform '{device.Platform.DeviceName}' does not run {operation}, and {why}. Use a platform that declares {operation.Kind}, or allow the CPU reference to run it."))
            {
                Operation = operation.Kind,
            };
        }

        return (new OperationPlacement(operation, PlacementKind.CpuFallback, "cpu reference"), null);
    }

    private static ContributedOperations? Contributed(DeviceOperation operation, DeviceProgramOptions options, bool preferred) =>
        options.ContributedOperations.FirstOrDefault(c => c.IsPreferred == preferred && c.Operations.Supports(operation));
}
