using System.Globalization;
using System.Text.RegularExpressions;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.BuiltIn.Hpu;

/// <summary>
/// Finds Intel Gaudi accelerators: Habana Labs PCI functions bound to the <c>habanalabs</c> driver, and the
/// driver's device nodes (<c>/dev/accel/accel*</c> from the upstream accel driver, <c>/dev/hl*</c> from older ones).
/// </summary>
internal static partial class HpuProbe
{
    /// <summary>Habana Labs' PCI vendor id (Linux <c>drivers/accel/habanalabs</c>, PCI_VENDOR_ID_HABANALABS).</summary>
    public const ushort HabanaVendorId = 0x1da3;

    /// <summary>Runs the probe.</summary>
    /// <param name="context">The system view and cancellation token.</param>
    public static ProbeResult Run(ProbeContext context)
    {
        var system = context.System;
        // Habana Labs makes nothing but accelerators, so every function of the vendor counts.
        var pci = system.FindPciDevices(HabanaVendorId, acceleratorsOnly: false);
        var nodes = system.FindDeviceNodes("accel/accel*").Where(n => AccelNodePattern().IsMatch(n))
            .Concat(system.FindDeviceNodes("hl*").Where(n => LegacyNodePattern().IsMatch(n)))
            .ToArray();

        if (pci.Count == 0)
        {
            return ProbeResult.NotPresent(nodes.Length == 0
                ? $"No Intel Gaudi found: no PCI device with vendor 0x{HabanaVendorId:x4} and no /dev/accel/accel* or /dev/hl* node."
                : $"No Intel Gaudi found: no PCI device with vendor 0x{HabanaVendorId:x4}; the node(s) {EvidenceList.Join(nodes)} belong to another accelerator driver.");
        }

        var listed = EvidenceList.Join(pci, d => $"{d.Address} [1da3:{d.DeviceId:x4}]");
        var bound = pci.Where(d => d.Driver == "habanalabs").ToArray();
        if (bound.Length == 0)
        {
            return ProbeResult.Unavailable(
                $"Found Gaudi device(s) {listed}, but the habanalabs kernel driver is not bound to them. " +
                "Install the Intel Gaudi software stack (habanalabs-dkms) and load it with modprobe habanalabs.");
        }

        var driverVersion = system.ReadText("/sys/module/habanalabs/version")?.Trim() is { Length: > 0 } v ? v : null;
        var devices = bound.Select((d, index) =>
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            return new DeviceInfo(index, GaudiName(d.DeviceId)) { PciBusId = d.Address, DriverVersion = driverVersion };
        }).ToArray();

        if (nodes.Length == 0)
        {
            return ProbeResult.Unavailable(
                $"Found Gaudi device(s) {listed} with the habanalabs driver, but no /dev/accel/accel* (or older /dev/hl*) node. " +
                "In a container, use --runtime=habana -e HABANA_VISIBLE_DEVICES=all, or pass --device=/dev/accel/accelN (and accel_controlDN) for each device.",
                devices);
        }

        return ProbeResult.Available(devices, $"{devices.Length} Gaudi device(s) bound to habanalabs; device node(s) {EvidenceList.Join(nodes)}.");
    }

    /// <summary>The product name for the device ids the habanalabs driver lists (drivers/accel/habanalabs/common/habanalabs_drv.c).</summary>
    private static string GaudiName(ushort deviceId) => deviceId switch
    {
        0x0001 => "Habana Goya",
        0x1000 or 0x1010 or 0x1001 or 0x1011 => "Intel Gaudi",
        0x1020 => "Intel Gaudi 2",
        0x1060 or 0x1062 => "Intel Gaudi 3",
        _ => string.Create(CultureInfo.InvariantCulture, $"Intel Gaudi [1da3:{deviceId:x4}]"),
    };

    [GeneratedRegex(@"^/dev/accel/accel[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex AccelNodePattern();

    [GeneratedRegex(@"^/dev/hl[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex LegacyNodePattern();
}
