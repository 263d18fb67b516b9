#if (!pciVendorIdIsHex)
#error The PCI vendor id 'PCI_VENDOR_ID_AS_GIVEN' is not 4 hex digits (for example 0x1ed5). Run dotnet new sgl-platform again with --pci-vendor-id 0x<4 hex digits>, as `lspci -nn` shows it.
#endif
#if (!deviceNodeIsPattern)
#error The device node pattern 'exampledev*' is not a path under /dev such as 'acme*' or 'accel/accel*'. Run dotnet new sgl-platform again with --device-node <pattern>.
#endif
using System.Globalization;
using Sgl.Platforms.Probing;

namespace Sgl.Platform.Example;

/// <summary>
/// Finds the vendor's devices without initialising them: PCI functions of the vendor id and the kernel
/// driver's device nodes. Reads only through the <see cref="SystemView"/>, so tests run it on a fake root.
/// </summary>
internal static class ExampleProbe
{
    /// <summary>The vendor's PCI vendor id.</summary>
    internal const ushort VendorId = 0xPCIVENDORID;

    /// <summary>The kernel driver's device nodes under <c>/dev</c>.</summary>
    internal const string DeviceNodePattern = "exampledev*";

    /// <summary>Looks for the vendor's devices.</summary>
    /// <param name="context">The system view and the probe's cancellation token.</param>
    public static ProbeResult Probe(ProbeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var system = context.System;

        // Display and processing-accelerator classes only: a card's audio function is not a device.
        var pci = system.FindPciDevices(VendorId);
        var nodes = system.FindDeviceNodes(DeviceNodePattern);

        if (pci.Count == 0 && nodes.Count == 0)
        {
            return ProbeResult.NotPresent($"no PCI device of vendor 0x{VendorId:x4} and no /dev/{DeviceNodePattern} device node");
        }

        if (nodes.Count == 0)
        {
            return ProbeResult.Unavailable(
                string.Create(CultureInfo.InvariantCulture,
                    $"{pci.Count} PCI device(s) of vendor 0x{VendorId:x4} ({string.Join(", ", pci.Select(d => d.Address))}) but no /dev/{DeviceNodePattern} device node: the kernel driver is not loaded. Install the driver, or in a container pass the device node."),
                pci.Select((d, i) => new DeviceInfo(i, Name(d)) { PciBusId = d.Address }).ToArray());
        }

        context.CancellationToken.ThrowIfCancellationRequested();
        var devices = nodes.Select((node, i) => new DeviceInfo(i, i < pci.Count ? Name(pci[i]) : $"Example Vendor device ({node})")
        {
            PciBusId = i < pci.Count ? pci[i].Address : null,
        }).ToArray();
        return ProbeResult.Available(devices, string.Create(CultureInfo.InvariantCulture,
            $"{pci.Count} PCI device(s) of vendor 0x{VendorId:x4} and {nodes.Count} /dev/{DeviceNodePattern} node(s)"));
    }

    private static string Name(PciDevice device) =>
        string.Create(CultureInfo.InvariantCulture, $"Example Vendor device [{device.VendorId:x4}:{device.DeviceId:x4}]");
}
