using System.Diagnostics;
using System.Runtime.InteropServices;
using Sgl.Platforms.BuiltIn.Cpu;

namespace Sgl.Platforms.Devices;

/// <summary>
/// Runs one operation a device does not support on the CPU reference: the operands are copied to host buffers
/// (converted to float32), the reference runs, and the results are copied back (converted to the device's
/// element type). Operations over a KV cache or a whole weight copy only the rows they touch.
/// </summary>
internal abstract class CpuFallback : IDisposable
{
    private readonly List<DeviceBuffer> _owned = [];
    private ushort[] _bits = [];
    private long _runs;
    private long _bytesToHost;
    private long _bytesToDevice;
    private long _elapsedTicks;

    protected CpuFallback(DeviceOperation operation, ComputeDevice host)
    {
        Operation = operation;
        Device = operation.Device;
        Host = host;
    }

    public DeviceOperation Operation { get; }

    public FallbackCost Cost => new(Operation, _runs, _bytesToHost, _bytesToDevice, Stopwatch.GetElapsedTime(0, _elapsedTicks));

    protected ComputeDevice Device { get; }

    protected ComputeDevice Host { get; }

    public static CpuFallback Create(DeviceOperation operation, ComputeDevice host, IReadOnlySet<DeviceBuffer> constants) => operation switch
    {
        KvWriteOperation kv => new KvWriteFallback(kv, host),
        PagedAttentionOperation attention => new PagedAttentionFallback(attention, host),
        FillUniformOperation fill => new FillUniformFallback(fill, host),
        _ => new CopyAllFallback(operation, host, constants),
    };

    public void Run()
    {
        var transfers = Device.Transfers;
        var start = Stopwatch.GetTimestamp();
        RunCore();
        _elapsedTicks += Stopwatch.GetTimestamp() - start;
        var moved = Device.Transfers - transfers;
        _bytesToHost += moved.BytesToHost;
        _bytesToDevice += moved.BytesToDevice;
        _runs++;
    }

    public void Dispose()
    {
        foreach (var buffer in _owned)
        {
            buffer.Dispose();
        }
    }

    protected abstract void RunCore();

    /// <summary>A host buffer of the reference's type for <paramref name="shape"/>: Int32 stays Int32, every float type becomes Float32.</summary>
    protected DeviceBuffer HostBuffer(ElementType elementType, TensorShape shape)
    {
        var buffer = Host.Allocate(elementType == ElementType.Int32 ? ElementType.Int32 : ElementType.Float32, shape);
        _owned.Add(buffer);
        return buffer;
    }

    /// <summary>Copies elements [<paramref name="offset"/>, + destination.Length) of a device buffer into float32.</summary>
    protected void Download(DeviceBuffer source, long offset, Span<float> destination)
    {
        if (source.ElementType == ElementType.Float32)
        {
            Device.CopyToHost(source, destination, offset);
            return;
        }

        var bits = Bits(destination.Length);
        Device.CopyToHost(source, bits, offset);
        ElementCodec.Decode(MemoryMarshal.AsBytes(bits), destination, source.ElementType);
    }

    /// <summary>Copies float32 values into elements starting at <paramref name="offset"/> of a device buffer, converted to its type.</summary>
    protected void Upload(ReadOnlySpan<float> source, DeviceBuffer destination, long offset)
    {
        if (destination.ElementType == ElementType.Float32)
        {
            Device.CopyToDevice(source, destination, offset);
            return;
        }

        var bits = Bits(source.Length);
        ElementCodec.Encode(source, MemoryMarshal.AsBytes(bits), destination.ElementType);
        Device.CopyToDevice<ushort>(bits, destination, offset);
    }

    /// <summary>Copies a whole device buffer into its host twin (float32 or Int32).</summary>
    protected void Download(DeviceBuffer source, DeviceBuffer twin)
    {
        if (source.ElementType == ElementType.Int32)
        {
            Device.CopyToHost(source, HostInts(twin));
        }
        else
        {
            Download(source, 0, HostFloats(twin));
        }
    }

    /// <summary>Copies a host twin back into its device buffer.</summary>
    protected void Upload(DeviceBuffer twin, DeviceBuffer destination)
    {
        if (destination.ElementType == ElementType.Int32)
        {
            Device.CopyToDevice<int>(HostInts(twin), destination);
        }
        else
        {
            Upload(HostFloats(twin), destination, 0);
        }
    }

    protected static Span<float> HostFloats(DeviceBuffer hostBuffer) => CpuBuffer.Floats(hostBuffer);

    protected static Span<int> HostInts(DeviceBuffer hostBuffer) => CpuBuffer.Ints(hostBuffer);

    private Span<ushort> Bits(int count)
    {
        if (_bits.Length < count)
        {
            _bits = new ushort[count];
        }

        return _bits.AsSpan(0, count);
    }
}
