using Sgl.Platforms.Devices;

namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>A cuMemAlloc allocation of a cuda device.</summary>
internal sealed class CudaBuffer : DeviceBuffer
{
    private readonly CudaDevice _device;

    public CudaBuffer(CudaDevice device, ElementType elementType, TensorShape shape, ulong pointer)
        : base(device, elementType, shape)
    {
        _device = device;
        Pointer = pointer;
    }

    /// <summary>The allocation's device address.</summary>
    public ulong Pointer { get; }

    /// <summary>The device address of <paramref name="buffer"/>'s first element (an allocation of a cuda device, or a slice of one).</summary>
    public static ulong AddressOf(DeviceBuffer buffer) => ((CudaBuffer)buffer.Root).Pointer + (ulong)buffer.ByteOffset;

    protected override void Release() => _device.Free(this);

    /// <summary>Contributed kernels reach the allocation by its device address (contract 1.1).</summary>
    protected override bool TryGetNativeAddressCore(out NativeAddress address)
    {
        address = new NativeAddress(checked((nint)Pointer), NativeMemoryKind.Device);
        return true;
    }
}
