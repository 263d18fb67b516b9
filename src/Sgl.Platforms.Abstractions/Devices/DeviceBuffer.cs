using System.Globalization;

namespace Sgl.Platforms.Devices;

/// <summary>
/// Memory a <see cref="ComputeDevice"/> allocated and owns: a matrix of <see cref="Shape"/> elements of
/// <see cref="ElementType"/>. Runtimes hold it only as this handle; its contents cross to the host only
/// through <see cref="ComputeDevice.CopyToHost{T}(DeviceBuffer, Span{T}, long)"/>.
/// </summary>
/// <remarks>
/// A platform derives one class from this for its allocations and finds its own memory through
/// <see cref="Root"/> (always the platform's own type) and <see cref="ByteOffset"/>, so row slices
/// (<see cref="Slice(int, int)"/>) need no platform code. Disposing the allocation releases the memory and
/// invalidates its slices; disposing a slice does nothing.
/// </remarks>
public abstract class DeviceBuffer : IDisposable
{
    private int _disposed;

    /// <summary>Describes an allocation the platform has just made.</summary>
    /// <param name="device">The device that owns the memory.</param>
    /// <param name="elementType">The element type.</param>
    /// <param name="shape">The shape.</param>
    protected DeviceBuffer(ComputeDevice device, ElementType elementType, TensorShape shape)
    {
        ArgumentNullException.ThrowIfNull(device);
        Device = device;
        ElementType = elementType;
        Shape = shape;
        Root = this;
    }

    private protected DeviceBuffer(DeviceBuffer root, long byteOffset, TensorShape shape)
    {
        Device = root.Device;
        ElementType = root.ElementType;
        Shape = shape;
        Root = root;
        ByteOffset = byteOffset;
    }

    /// <summary>The device that owns the memory.</summary>
    public ComputeDevice Device { get; }

    /// <summary>The element type.</summary>
    public ElementType ElementType { get; }

    /// <summary>The shape.</summary>
    public TensorShape Shape { get; }

    /// <summary>Elements in the buffer.</summary>
    public long ElementCount => Shape.ElementCount;

    /// <summary>Bytes the buffer spans.</summary>
    public long SizeBytes => ElementCount * ElementTypes.SizeOf(ElementType);

    /// <summary>The allocation this buffer lies in: itself, or for a slice the buffer it was cut from (the platform's own type).</summary>
    public DeviceBuffer Root { get; }

    /// <summary>Where this buffer starts within <see cref="Root"/>, in bytes (0 for an allocation).</summary>
    public long ByteOffset { get; }

    /// <summary>True once the allocation has been released.</summary>
    public bool IsDisposed => Volatile.Read(ref Root._disposed) != 0;

    /// <summary>A view of rows [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="rowCount"/>) sharing this buffer's memory.</summary>
    /// <param name="firstRow">The first row of the view.</param>
    /// <param name="rowCount">Rows in the view; at least 1.</param>
    /// <exception cref="TensorShapeException">The rows are not inside the buffer.</exception>
    public DeviceBuffer Slice(int firstRow, int rowCount)
    {
        if (firstRow < 0 || rowCount < 1 || (long)firstRow + rowCount > Shape.Rows)
        {
            throw new TensorShapeException(string.Create(CultureInfo.InvariantCulture,
                $"Rows [{firstRow}, {(long)firstRow + rowCount}) are not inside a buffer of shape {Shape}; a slice needs 0 <= first row and at least one row within the buffer."));
        }

        var rowBytes = (long)Shape.Columns * ElementTypes.SizeOf(ElementType);
        return new DeviceBufferSlice(Root, ByteOffset + firstRow * rowBytes, new TensorShape(rowCount, Shape.Columns));
    }

    /// <summary>Releases the allocation (once); a slice releases nothing.</summary>
    public void Dispose()
    {
        if (!ReferenceEquals(Root, this) || Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Release();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// The native address of this buffer's first byte, for kernels from outside the platform (contributions);
    /// false when the platform does not expose its memory. The address stays valid until the allocation is disposed.
    /// </summary>
    /// <param name="address">The address (the allocation's, plus <see cref="ByteOffset"/>) and which memory it is in.</param>
    /// <remarks>Contract 1.1.</remarks>
    public bool TryGetNativeAddress(out NativeAddress address)
    {
        if (IsDisposed || !Root.TryGetNativeAddressCore(out var root))
        {
            address = default;
            return false;
        }

        address = new NativeAddress(checked(root.Address + (nint)ByteOffset), root.Kind);
        return true;
    }

    /// <summary>The shape and element type, for example <c>[1, 64] Float32</c>.</summary>
    public override string ToString() => $"{Shape} {ElementType}";

    /// <summary>Frees the platform's memory. Called once, for allocations only.</summary>
    protected abstract void Release();

    /// <summary>The address of the allocation's first byte; override it to let contributions' kernels reach the memory. Called on allocations only.</summary>
    /// <param name="address">The address and which memory it is in.</param>
    /// <returns>False (the default) when the platform keeps its memory to itself.</returns>
    /// <remarks>Contract 1.1.</remarks>
    protected virtual bool TryGetNativeAddressCore(out NativeAddress address)
    {
        address = default;
        return false;
    }

    private sealed class DeviceBufferSlice(DeviceBuffer root, long byteOffset, TensorShape shape) : DeviceBuffer(root, byteOffset, shape)
    {
        protected override void Release()
        {
        }
    }
}
