using System.Runtime.InteropServices;
using Sgl.Platforms.Devices;

namespace Sgl.Platforms.BuiltIn.Cpu;

/// <summary>
/// A cpu device allocation: a pinned managed array of the element type (float, int, or the 16-bit types' raw bits).
/// The cpu platform's own code reads it as spans; runtimes see a <see cref="DeviceBuffer"/>, and contributions its address.
/// </summary>
internal sealed class CpuBuffer : DeviceBuffer
{
    private readonly Array _data;

    public CpuBuffer(CpuDevice device, ElementType elementType, TensorShape shape)
        : base(device, elementType, shape)
    {
        var count = checked((int)shape.ElementCount);
        _data = elementType switch
        {
            ElementType.Float32 => GC.AllocateUninitializedArray<float>(count, pinned: true),
            ElementType.Int32 => GC.AllocateUninitializedArray<int>(count, pinned: true),
            _ => GC.AllocateUninitializedArray<ushort>(count, pinned: true),
        };
    }

    /// <summary>The bytes of <paramref name="buffer"/> (an allocation of a cpu device, or a slice of one).</summary>
    public static Span<byte> Bytes(DeviceBuffer buffer)
    {
        var root = (CpuBuffer)buffer.Root;
        var all = root._data switch
        {
            float[] f => MemoryMarshal.AsBytes(f.AsSpan()),
            int[] i => MemoryMarshal.AsBytes(i.AsSpan()),
            ushort[] u => MemoryMarshal.AsBytes(u.AsSpan()),
            _ => throw new InvalidOperationException("Unknown cpu buffer storage."),
        };
        return all.Slice(checked((int)buffer.ByteOffset), checked((int)buffer.SizeBytes));
    }

    /// <summary>The float32 elements of <paramref name="buffer"/>.</summary>
    public static Span<float> Floats(DeviceBuffer buffer) =>
        ((float[])((CpuBuffer)buffer.Root)._data).AsSpan(checked((int)(buffer.ByteOffset / sizeof(float))), checked((int)buffer.ElementCount));

    /// <summary>The Int32 elements of <paramref name="buffer"/>.</summary>
    public static Span<int> Ints(DeviceBuffer buffer) =>
        ((int[])((CpuBuffer)buffer.Root)._data).AsSpan(checked((int)(buffer.ByteOffset / sizeof(int))), checked((int)buffer.ElementCount));

    /// <summary>
    /// The array lives on the pinned object heap, so its address is stable for the buffer's life: contributed kernels
    /// (native code included) read and write it in place (contract 1.1).
    /// </summary>
    protected override bool TryGetNativeAddressCore(out NativeAddress address)
    {
        address = new NativeAddress(Marshal.UnsafeAddrOfPinnedArrayElement(_data, 0), NativeMemoryKind.Host);
        return true;
    }

    /// <summary>The array is the garbage collector's to reclaim.</summary>
    protected override void Release()
    {
    }
}
