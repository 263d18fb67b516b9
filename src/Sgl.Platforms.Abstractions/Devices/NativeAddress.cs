namespace Sgl.Platforms.Devices;

/// <summary>Where a buffer's first byte lives, for kernels from outside the platform (<see cref="DeviceBuffer.TryGetNativeAddress(out NativeAddress)"/>).</summary>
/// <remarks>Contract 1.1.</remarks>
public readonly struct NativeAddress
{
    /// <summary>Describes an address.</summary>
    /// <param name="address">The address of the first byte: a host pointer, or a device pointer in the platform's API (a <c>CUdeviceptr</c> for CUDA).</param>
    /// <param name="kind">Which memory the address is in.</param>
    public NativeAddress(nint address, NativeMemoryKind kind)
    {
        Address = address;
        Kind = kind;
    }

    /// <summary>The address of the first byte: a host pointer, or a device pointer in the platform's API.</summary>
    public nint Address { get; }

    /// <summary>Which memory the address is in.</summary>
    public NativeMemoryKind Kind { get; }
}
