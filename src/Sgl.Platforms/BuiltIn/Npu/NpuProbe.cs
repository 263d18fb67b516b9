using System.Text.RegularExpressions;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.BuiltIn.Npu;

/// <summary>
/// Finds Huawei Ascend NPUs: the Ascend driver creates one <c>/dev/davinciN</c> node per NPU plus the shared
/// <c>/dev/davinci_manager</c>; Huawei PCI accelerators are evidence for a clear reason when the nodes are missing.
/// </summary>
internal static partial class NpuProbe
{
    /// <summary>Huawei's PCI vendor id (Linux <c>include/linux/pci_ids.h</c>, PCI_VENDOR_ID_HUAWEI).</summary>
    public const ushort HuaweiVendorId = 0x19e5;

    /// <summary>Where the Ascend driver package records its version.</summary>
    public const string DriverVersionFile = "/usr/local/Ascend/driver/version.info";

    /// <summary>Runs the probe.</summary>
    /// <param name="context">The system view and cancellation token.</param>
    public static ProbeResult Run(ProbeContext context)
    {
        var system = context.System;
        var nodes = system.FindDeviceNodes("davinci*").Where(n => DeviceNodePattern().IsMatch(n)).ToArray();
        // Huawei also makes NICs and storage controllers; only display or accelerator functions count.
        var pci = system.FindPciDevices(HuaweiVendorId);

        if (nodes.Length == 0)
        {
            return pci.Count == 0
                ? ProbeResult.NotPresent(
                    $"No Ascend NPU found: no /dev/davinci[0-9]* device node and no PCI accelerator with vendor 0x{HuaweiVendorId:x4}.")
                : ProbeResult.Unavailable(
                    $"Found Huawei PCI accelerator(s) {EvidenceList.Join(pci, d => $"{d.Address} [19e5:{d.DeviceId:x4}]")}, but no /dev/davinci[0-9]* device node. " +
                    "Install and load the Ascend NPU driver (npu-smi info should list the NPUs); in a container, pass --device=/dev/davinciN for each NPU " +
                    "plus --device=/dev/davinci_manager --device=/dev/devmm_svm --device=/dev/hisi_hdc.");
        }

        var driverVersion = ReadDriverVersion(system);
        var devices = nodes.Select((node, index) =>
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            return new DeviceInfo(index, $"Ascend NPU ({node})") { DriverVersion = driverVersion };
        }).ToArray();

        if (!system.Exists("/dev/davinci_manager"))
        {
            return ProbeResult.Unavailable(
                $"Found {EvidenceList.Join(nodes)}, but /dev/davinci_manager is missing, so the Ascend runtime cannot open the NPUs. " +
                "In a container, pass --device=/dev/davinci_manager --device=/dev/devmm_svm --device=/dev/hisi_hdc.",
                devices);
        }

        return ProbeResult.Available(devices, $"{nodes.Length} Ascend NPU device node(s) and /dev/davinci_manager are present.");
    }

    /// <summary>The <c>Version=</c> line of the driver's version.info, or null.</summary>
    private static string? ReadDriverVersion(SystemView system)
    {
        var text = system.ReadText(DriverVersionFile);
        if (text is null)
        {
            return null;
        }

        foreach (var line in text.Split('\n', StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith("Version=", StringComparison.OrdinalIgnoreCase) && line.Length > "Version=".Length)
            {
                return line["Version=".Length..].Trim();
            }
        }

        return null;
    }

    [GeneratedRegex(@"^/dev/davinci[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex DeviceNodePattern();
}
