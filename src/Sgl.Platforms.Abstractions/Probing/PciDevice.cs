namespace Sgl.Platforms.Probing;

/// <summary>A PCI function as sysfs describes it under <c>sys/bus/pci/devices/&lt;address&gt;</c>.</summary>
/// <param name="Address">The PCI address, for example <c>0000:3b:00.0</c>.</param>
/// <param name="VendorId">The PCI vendor id (for example 0x10de for NVIDIA).</param>
/// <param name="DeviceId">The PCI device id.</param>
/// <param name="ClassCode">The 24-bit class code (for example 0x030200 for a 3D controller).</param>
/// <param name="Driver">The name of the bound kernel driver, or null when none is bound.</param>
public sealed record PciDevice(string Address, ushort VendorId, ushort DeviceId, uint ClassCode, string? Driver)
{
    /// <summary>The base class byte of <see cref="ClassCode"/> (0x03 display, 0x12 processing accelerator).</summary>
    public byte BaseClass => (byte)(ClassCode >> 16);

    /// <summary>True for display controllers (base class 0x03).</summary>
    public bool IsDisplayController => BaseClass == 0x03;

    /// <summary>True for processing accelerators (base class 0x12).</summary>
    public bool IsProcessingAccelerator => BaseClass == 0x12;
}
