using System.Runtime.InteropServices;

namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>nvmlMemory_t: total, free and used device memory in bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlMemory
{
    /// <summary>Total physical device memory.</summary>
    public ulong Total;

    /// <summary>Unallocated device memory.</summary>
    public ulong Free;

    /// <summary>Reserved and allocated device memory.</summary>
    public ulong Used;
}

/// <summary>nvmlPciInfo_t as nvmlDeviceGetPciInfo_v3 fills it (72 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NvmlPciInfo
{
    /// <summary>NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE.</summary>
    public const int BusIdSize = 32;

    /// <summary>The legacy bus id (NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE = 16 bytes).</summary>
    public fixed byte BusIdLegacy[16];

    /// <summary>PCI domain.</summary>
    public uint Domain;

    /// <summary>PCI bus.</summary>
    public uint Bus;

    /// <summary>PCI device.</summary>
    public uint Device;

    /// <summary>Combined 16-bit device id and 16-bit vendor id.</summary>
    public uint PciDeviceId;

    /// <summary>Sub-system id.</summary>
    public uint PciSubSystemId;

    /// <summary>The bus id, domain:bus:device.function.</summary>
    public fixed byte BusId[BusIdSize];
}
