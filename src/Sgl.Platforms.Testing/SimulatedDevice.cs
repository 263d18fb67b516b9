using System.Globalization;
using System.Runtime.InteropServices;
using Sgl.Platforms.Devices;

namespace Sgl.Platforms.Testing;

/// <summary>
/// The device of a <see cref="SimulatedDevicePlatform"/>: memory the host cannot read as spans (native memory,
/// scrambled), operations run on the CPU reference inside the device, and a capture mode that records operations
/// instead of running them.
/// </summary>
public sealed class SimulatedDevice : ComputeDevice
{
    private readonly Dictionary<DeviceBuffer, DeviceBuffer> _hostCopies = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<DeviceOperation, DeviceOperation> _hostOperations = new(ReferenceEqualityComparer.Instance);
    private readonly ComputeDevice _reference = HostCompute.OpenDevice();
    private List<DeviceOperation>? _capture;
    private long _liveBytes;

    internal SimulatedDevice(SimulatedDevicePlatform platform, int index)
        : base(platform, index, "simulated accelerator")
    {
        Queue = new InOrderQueue(this);
    }

    /// <inheritdoc />
    public override DeviceQueue Queue { get; }

    /// <summary>Bytes of simulated device memory allocated and not yet released.</summary>
    public long LiveBytes => Interlocked.Read(ref _liveBytes);

    /// <summary>Operations the device ran, replays included.</summary>
    public long OperationsRun { get; private set; }

    /// <summary>Graphs replayed.</summary>
    public long Replays { get; private set; }

    /// <summary>Float32 and Int32 operands of the declared operations: the simulation computes with the CPU reference.</summary>
    public override bool Supports(DeviceOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return base.Supports(operation) && operation.Kind != OperationKind.AllReduce
            && operation.Inputs.Concat(operation.Outputs).All(b => b.ElementType is ElementType.Float32 or ElementType.Int32);
    }

    internal void BeginCapture() => _capture = [];

    internal DeviceOperation[] EndCapture()
    {
        var graph = _capture?.ToArray() ?? [];
        _capture = null;
        return graph;
    }

    internal void Replay(DeviceOperation[] graph)
    {
        foreach (var operation in graph)
        {
            Run(operation);
        }

        Replays++;
    }

    /// <inheritdoc />
    protected override DeviceBuffer AllocateCore(ElementType elementType, TensorShape shape)
    {
        var bytes = shape.ElementCount * ElementTypes.SizeOf(elementType);
        if (bytes > ((SimulatedDevicePlatform)Platform).MemoryBytes - LiveBytes)
        {
            throw new DeviceOutOfMemoryException(string.Create(CultureInfo.InvariantCulture,
                $"The simulated device has {((SimulatedDevicePlatform)Platform).MemoryBytes - LiveBytes} bytes free; {shape} {elementType} needs {bytes}."))
            {
                RequestedBytes = bytes,
                FreeBytes = ((SimulatedDevicePlatform)Platform).MemoryBytes - LiveBytes,
            };
        }

        Interlocked.Add(ref _liveBytes, bytes);
        return new ScrambledBuffer(this, elementType, shape);
    }

    /// <inheritdoc />
    protected override void CopyToDeviceCore(ReadOnlySpan<byte> source, DeviceBuffer destination, long byteOffset)
    {
        if (_capture is not null)
        {
            throw new InvalidOperationException("A copy to the simulated device was enqueued while a graph was being captured; a step must not copy between host and device.");
        }

        ((ScrambledBuffer)destination.Root).Write(destination.ByteOffset + byteOffset, source);
    }

    /// <inheritdoc />
    protected override void CopyToHostCore(DeviceBuffer source, long byteOffset, Span<byte> destination)
    {
        if (_capture is not null)
        {
            throw new InvalidOperationException("A copy to the host was asked for while a graph was being captured; a step must not wait for the device.");
        }

        ((ScrambledBuffer)source.Root).Read(source.ByteOffset + byteOffset, destination);
    }

    /// <inheritdoc />
    protected override void ExecuteCore(DeviceOperation operation)
    {
        if (_capture is not null)
        {
            _capture.Add(operation);
            return;
        }

        Run(operation);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        foreach (var copy in _hostCopies.Values)
        {
            copy.Dispose();
        }

        _reference.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>Runs one operation on the CPU reference: operands out of the scrambled memory, the reference, results back in.</summary>
    private void Run(DeviceOperation operation)
    {
        if (!_hostOperations.TryGetValue(operation, out var hostOperation))
        {
            hostOperation = OperationRebinder.Rebind(operation, HostCopy);
            _hostOperations[operation] = hostOperation;
        }

        // Outputs are read in too: an operation may write only some rows (a KV write) or update in place.
        foreach (var buffer in operation.Inputs.Concat(operation.Outputs))
        {
            var values = new int[buffer.ElementCount];
            ((ScrambledBuffer)buffer.Root).Read(buffer.ByteOffset, MemoryMarshal.AsBytes(values.AsSpan()));
            CopyToReference(values, HostCopy(buffer));
        }

        _reference.Execute(hostOperation);
        foreach (var buffer in operation.Outputs)
        {
            var values = new int[buffer.ElementCount];
            CopyFromReference(HostCopy(buffer), values);
            ((ScrambledBuffer)buffer.Root).Write(buffer.ByteOffset, MemoryMarshal.AsBytes(values.AsSpan()));
        }

        OperationsRun++;
    }

    /// <summary>Float32 and Int32 elements are both four bytes; the reference device takes each as its own type.</summary>
    private void CopyToReference(int[] bits, DeviceBuffer copy)
    {
        if (copy.ElementType == ElementType.Int32)
        {
            _reference.CopyToDevice<int>(bits, copy);
        }
        else
        {
            _reference.CopyToDevice<float>(MemoryMarshal.Cast<int, float>(bits.AsSpan()), copy);
        }
    }

    private void CopyFromReference(DeviceBuffer copy, int[] bits)
    {
        if (copy.ElementType == ElementType.Int32)
        {
            _reference.CopyToHost<int>(copy, bits);
        }
        else
        {
            _reference.CopyToHost(copy, MemoryMarshal.Cast<int, float>(bits.AsSpan()));
        }
    }

    private DeviceBuffer HostCopy(DeviceBuffer buffer)
    {
        if (!_hostCopies.TryGetValue(buffer, out var copy))
        {
            copy = _reference.Allocate(buffer.ElementType, buffer.Shape);
            _hostCopies[buffer] = copy;
        }

        return copy;
    }

    /// <summary>Work runs when it is enqueued (or is recorded while capturing), so there is never anything to wait for.</summary>
    private sealed class InOrderQueue(ComputeDevice device) : DeviceQueue(device)
    {
        public override void Synchronize()
        {
        }
    }

    /// <summary>Native memory whose bytes are stored XOR a per-buffer key: readable only through the device.</summary>
    private sealed unsafe class ScrambledBuffer : DeviceBuffer
    {
        private readonly SimulatedDevice _device;
        private readonly byte _key;
        private byte* _memory;

        public ScrambledBuffer(SimulatedDevice device, ElementType elementType, TensorShape shape)
            : base(device, elementType, shape)
        {
            _device = device;
            _key = (byte)(0x5A ^ shape.Rows ^ shape.Columns);
            _memory = (byte*)NativeMemory.AllocZeroed((nuint)SizeBytes);
        }

        public void Write(long offset, ReadOnlySpan<byte> source)
        {
            var target = new Span<byte>(_memory + offset, source.Length);
            for (var i = 0; i < source.Length; i++)
            {
                target[i] = (byte)(source[i] ^ _key);
            }
        }

        public void Read(long offset, Span<byte> destination)
        {
            var source = new ReadOnlySpan<byte>(_memory + offset, destination.Length);
            for (var i = 0; i < destination.Length; i++)
            {
                destination[i] = (byte)(source[i] ^ _key);
            }
        }

        protected override void Release()
        {
            NativeMemory.Free(_memory);
            _memory = null;
            Interlocked.Add(ref _device._liveBytes, -SizeBytes);
        }
    }
}
