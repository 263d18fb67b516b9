using System.Globalization;
using System.Runtime.InteropServices;

namespace Sgl.Platforms.Devices;

/// <summary>
/// One device opened for one rank (<see cref="Platform.OpenDevice(int, int)"/>): it allocates and owns
/// <see cref="DeviceBuffer"/>s, copies between them and the host, and runs the operations it
/// <see cref="Supports(DeviceOperation)"/> on its <see cref="Queue"/>. Disposing it frees everything it
/// holds (buffers, modules, contexts).
/// </summary>
/// <remarks>
/// <para>The public members are the contract boundary: they check shapes, element types, ranges and
/// ownership and count what crosses to and from the host, then call the platform's <c>…Core</c> members,
/// which may assume valid arguments.</para>
/// <para>Work is asynchronous: copies to the device and operations are enqueued on <see cref="Queue"/>;
/// <see cref="CopyToHost{T}(DeviceBuffer, Span{T}, long)"/> waits for earlier work before it copies.</para>
/// </remarks>
public abstract class ComputeDevice : IDisposable
{
    private long _bytesToDevice;
    private long _bytesToHost;
    private long _copiesToDevice;
    private long _copiesToHost;
    private int _disposed;

    /// <summary>Creates the device handle.</summary>
    /// <param name="platform">The platform that opened it.</param>
    /// <param name="index">The device index on this node.</param>
    /// <param name="name">The device's name, as its probe reported it.</param>
    protected ComputeDevice(Platform platform, int index, string name)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(name);
        Platform = platform;
        Index = index;
        Name = name;
    }

    /// <summary>The platform that opened the device.</summary>
    public Platform Platform { get; }

    /// <summary>The device index on this node.</summary>
    public int Index { get; }

    /// <summary>The device's name.</summary>
    public string Name { get; }

    /// <summary>The device's queue; copies and operations run on it in order.</summary>
    public abstract DeviceQueue Queue { get; }

    /// <summary>Everything that has crossed between the host and this device through its copies.</summary>
    public DeviceTransfers Transfers => new(
        Interlocked.Read(ref _bytesToDevice), Interlocked.Read(ref _bytesToHost), Interlocked.Read(ref _copiesToDevice), Interlocked.Read(ref _copiesToHost));

    /// <summary>True once the device was disposed.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Allocates a buffer. Its contents are undefined until written.</summary>
    /// <param name="elementType">The element type.</param>
    /// <param name="shape">The shape; both dimensions at least 1.</param>
    /// <exception cref="TensorShapeException">A dimension is less than 1.</exception>
    /// <exception cref="DeviceOutOfMemoryException">The device has not enough free memory.</exception>
    public DeviceBuffer Allocate(ElementType elementType, TensorShape shape)
    {
        ThrowIfDisposed();
        if (shape.Rows < 1 || shape.Columns < 1)
        {
            throw new TensorShapeException($"Cannot allocate a buffer of shape {shape}: both dimensions must be at least 1.");
        }

        var buffer = AllocateCore(elementType, shape)
            ?? throw new InvalidOperationException($"Platform '{Platform.DeviceName}' returned no buffer for an allocation of {shape} {elementType}.");
        if (!ReferenceEquals(buffer.Device, this) || buffer.ElementType != elementType || buffer.Shape != shape || !ReferenceEquals(buffer.Root, buffer))
        {
            throw new InvalidOperationException(
                $"Platform '{Platform.DeviceName}' returned a buffer of {buffer} on device '{buffer.Device.Name}' for an allocation of {shape} {elementType} on '{Name}'.");
        }

        return buffer;
    }

    /// <summary>
    /// Enqueues a copy of <paramref name="source"/> into <paramref name="destination"/>, starting at element
    /// <paramref name="destinationOffset"/>. The source may be reused as soon as this returns.
    /// </summary>
    /// <typeparam name="T">The host element type (<see cref="ElementTypes.IsHostType{T}(ElementType)"/>).</typeparam>
    /// <param name="source">The values.</param>
    /// <param name="destination">A buffer of this device.</param>
    /// <param name="destinationOffset">The first element written, counted row-major from the buffer's start.</param>
    /// <exception cref="TensorShapeException">The element types differ, or the values do not fit at the offset.</exception>
    public void CopyToDevice<T>(ReadOnlySpan<T> source, DeviceBuffer destination, long destinationOffset = 0)
        where T : unmanaged
    {
        CheckCopy<T>(destination, destinationOffset, source.Length, "CopyToDevice");
        if (source.IsEmpty)
        {
            return;
        }

        var bytes = MemoryMarshal.AsBytes(source);
        CopyToDeviceCore(bytes, destination, destinationOffset * ElementTypes.SizeOf(destination.ElementType));
        Interlocked.Add(ref _bytesToDevice, bytes.Length);
        Interlocked.Increment(ref _copiesToDevice);
    }

    /// <summary>
    /// Waits for the work enqueued so far, then copies elements of <paramref name="source"/> starting at
    /// <paramref name="sourceOffset"/> into <paramref name="destination"/>.
    /// </summary>
    /// <typeparam name="T">The host element type (<see cref="ElementTypes.IsHostType{T}(ElementType)"/>).</typeparam>
    /// <param name="source">A buffer of this device.</param>
    /// <param name="destination">Receives <c>destination.Length</c> elements.</param>
    /// <param name="sourceOffset">The first element read, counted row-major from the buffer's start.</param>
    /// <exception cref="TensorShapeException">The element types differ, or the range is not inside the buffer.</exception>
    public void CopyToHost<T>(DeviceBuffer source, Span<T> destination, long sourceOffset = 0)
        where T : unmanaged
    {
        CheckCopy<T>(source, sourceOffset, destination.Length, "CopyToHost");
        if (destination.IsEmpty)
        {
            return;
        }

        var bytes = MemoryMarshal.AsBytes(destination);
        CopyToHostCore(source, sourceOffset * ElementTypes.SizeOf(source.ElementType), bytes);
        Interlocked.Add(ref _bytesToHost, bytes.Length);
        Interlocked.Increment(ref _copiesToHost);
    }

    /// <summary>
    /// True when this device runs <paramref name="operation"/> itself. By default: when the platform's
    /// capabilities list its kind; override to refuse particular element types or shapes.
    /// </summary>
    /// <param name="operation">The operation.</param>
    public virtual bool Supports(DeviceOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return Platform.Capabilities.Operations.Contains(operation.Kind);
    }

    /// <summary>Enqueues <paramref name="operation"/> on <see cref="Queue"/>.</summary>
    /// <param name="operation">An operation whose buffers all belong to this device.</param>
    /// <exception cref="TensorShapeException">A buffer belongs to another device or was released.</exception>
    /// <exception cref="OperationNotSupportedException">The device does not support the operation.</exception>
    public void Execute(DeviceOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ThrowIfDisposed();
        operation.CheckBuffersBelongTo(this);
        if (!Supports(operation))
        {
            throw new OperationNotSupportedException(
                $"Platform '{Platform.DeviceName}' does not run {operation} on device '{Name}'. Run it on the CPU reference (a runtime's device program does that unless CPU fallback is off), or use a platform that declares {operation.Kind}.")
            {
                Operation = operation.Kind,
            };
        }

        ExecuteCore(operation);
    }

    /// <summary>Frees everything the device holds. Safe to call twice.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>The device's name.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Platform.DeviceName}:{Index} ({Name})");

    /// <summary>Allocates platform memory for a buffer of this shape and type.</summary>
    /// <param name="elementType">The element type.</param>
    /// <param name="shape">The shape; both dimensions at least 1.</param>
    /// <returns>A new allocation (its <see cref="DeviceBuffer.Root"/> is itself) on this device.</returns>
    /// <exception cref="DeviceOutOfMemoryException">Not enough free memory; nothing was allocated.</exception>
    protected abstract DeviceBuffer AllocateCore(ElementType elementType, TensorShape shape);

    /// <summary>Enqueues a copy of <paramref name="source"/> to <paramref name="destination"/>'s memory at <paramref name="byteOffset"/>; arguments are checked.</summary>
    /// <param name="source">The bytes; must be consumed (or staged) before this returns.</param>
    /// <param name="destination">The buffer (possibly a slice: add its <see cref="DeviceBuffer.ByteOffset"/>).</param>
    /// <param name="byteOffset">Bytes from the start of <paramref name="destination"/>.</param>
    protected abstract void CopyToDeviceCore(ReadOnlySpan<byte> source, DeviceBuffer destination, long byteOffset);

    /// <summary>Waits for earlier work, then copies <paramref name="destination"/>.Length bytes from <paramref name="source"/> at <paramref name="byteOffset"/>; arguments are checked.</summary>
    /// <param name="source">The buffer (possibly a slice: add its <see cref="DeviceBuffer.ByteOffset"/>).</param>
    /// <param name="byteOffset">Bytes from the start of <paramref name="source"/>.</param>
    /// <param name="destination">Receives the bytes.</param>
    protected abstract void CopyToHostCore(DeviceBuffer source, long byteOffset, Span<byte> destination);

    /// <summary>Enqueues an operation this device supports; its buffers are checked and belong to this device.</summary>
    /// <param name="operation">The operation; match on its type (<see cref="MatMulOperation"/> and the rest).</param>
    protected abstract void ExecuteCore(DeviceOperation operation);

    /// <summary>Frees what the device holds: every buffer still allocated, streams, modules, the context.</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> once the device was disposed.</summary>
    protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, this);

    private void CheckCopy<T>(DeviceBuffer buffer, long offset, int count, string call)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ThrowIfDisposed();
        if (!ReferenceEquals(buffer.Device, this))
        {
            throw new TensorShapeException($"{call}: the buffer {buffer} belongs to device '{buffer.Device}', not '{this}'.");
        }

        ObjectDisposedException.ThrowIf(buffer.IsDisposed, buffer);
        if (!ElementTypes.IsHostType<T>(buffer.ElementType))
        {
            throw new TensorShapeException(
                $"{call}: host elements of type {typeof(T).Name} do not match the buffer's {buffer.ElementType}; use float for Float32, int for Int32, Half or ushort for Float16, ushort (the raw bits) for BFloat16.");
        }

        if (offset < 0 || offset + count > buffer.ElementCount)
        {
            throw new TensorShapeException(string.Create(CultureInfo.InvariantCulture,
                $"{call}: elements [{offset}, {offset + count}) are not inside the buffer {buffer} ({buffer.ElementCount} elements)."));
        }
    }
}
