using System.Globalization;
using System.Text.RegularExpressions;
using Sgl.Platform.Musa.Mtml;
using Sgl.Platforms.Probing;

namespace Sgl.Platform.Musa;

/// <summary>
/// Finds Moore Threads GPUs without initialising them: PCI functions of vendor 0x1ed5 and the
/// <c>mtgpu</c> driver's device nodes as evidence, MTML (when present) for names and memory.
/// </summary>
internal sealed partial class MusaProbe
{
    /// <summary>Moore Threads' PCI vendor id (<c>lspci -d 1ed5:</c> in Moore Threads' install guides).</summary>
    internal const ushort MooreThreadsVendorId = 0x1ed5;

    private readonly string _mtmlLibraryPath;

    /// <summary>Creates a probe.</summary>
    /// <param name="mtmlLibraryPath">MTML's file name for the loader search, or a full path (tests pass a shim).</param>
    public MusaProbe(string mtmlLibraryPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(mtmlLibraryPath);
        _mtmlLibraryPath = mtmlLibraryPath;
    }

    /// <summary>Looks for Moore Threads GPUs.</summary>
    /// <param name="context">The system view and the probe's cancellation token.</param>
    public ProbeResult Probe(ProbeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var system = context.System;

        // Display and processing-accelerator classes only: each card also has an HDMI/DP audio function.
        var pci = system.FindPciDevices(MooreThreadsVendorId);
        var nodes = system.FindDeviceNodes("mtgpu*").Where(IsGpuNode).ToArray();

        if (pci.Count == 0 && nodes.Length == 0)
        {
            return ProbeResult.NotPresent("no PCI device of vendor 0x1ed5 (Moore Threads) and no /dev/mtgpu* device node");
        }

        if (nodes.Length == 0)
        {
            return ProbeResult.Unavailable(
                string.Create(CultureInfo.InvariantCulture,
                    $"{pci.Count} Moore Threads PCI device(s) ({string.Join(", ", pci.Select(d => d.Address))}) but no /dev/mtgpu* device node: the mtgpu kernel driver is not loaded. Install the MUSA driver (check with `lsmod | grep mtgpu`), or in a container pass the device with --device /dev/mtgpu.N."),
                FromPci(pci, ReadDriverVersion(system)));
        }

        context.CancellationToken.ThrowIfCancellationRequested();
        var evidence = string.Create(CultureInfo.InvariantCulture,
            $"{pci.Count} PCI device(s) of vendor 0x1ed5 and {nodes.Length} /dev/mtgpu* node(s)");

        string? mtmlFailure;
        using (var mtml = MtmlLibrary.TryOpen(_mtmlLibraryPath, out mtmlFailure))
        {
            if (mtml is not null)
            {
                try
                {
                    var devices = mtml.GetDevices();
                    if (devices.Count > 0)
                    {
                        return ProbeResult.Available(devices.Select(ToDeviceInfo).ToArray(), evidence + "; names and memory from MTML");
                    }

                    mtmlFailure = "MTML reports no device";
                }
                catch (MtmlException e)
                {
                    mtmlFailure = e.Message;
                }
            }
        }

        var driverVersion = ReadDriverVersion(system);
        var fallback = pci.Count > 0 ? FromPci(pci, driverVersion) : FromNodes(nodes, driverVersion);
        return ProbeResult.Available(fallback, $"{evidence}; names and memory unknown because {mtmlFailure}");
    }

    private static DeviceInfo ToDeviceInfo(MtmlDevice device) =>
        new(device.Index, device.Name ?? "Moore Threads GPU")
        {
            MemoryBytes = device.TotalMemoryBytes,
            Uuid = device.Uuid,
            PciBusId = device.PciBusId,
            DriverVersion = device.DriverVersion,
        };

    private static DeviceInfo[] FromPci(IReadOnlyList<PciDevice> pci, string? driverVersion) =>
        pci.Select((d, i) => new DeviceInfo(i, string.Create(CultureInfo.InvariantCulture, $"Moore Threads GPU [1ed5:{d.DeviceId:x4}]"))
        {
            PciBusId = d.Address,
            DriverVersion = driverVersion,
        }).ToArray();

    private static DeviceInfo[] FromNodes(string[] nodes, string? driverVersion) =>
        nodes.Select((n, i) => new DeviceInfo(i, $"Moore Threads GPU ({n})") { DriverVersion = driverVersion }).ToArray();

    // The kernel publishes a module's MODULE_VERSION here; absent when the driver does not set one.
    private static string? ReadDriverVersion(SystemView system) => system.ReadText("/sys/module/mtgpu/version")?.Trim() is { Length: > 0 } v ? v : null;

    // mtgpu0 and mtgpu.0 are both seen in the field; /dev/mtgpu may also be a directory of udev links.
    private static bool IsGpuNode(string machinePath) => GpuNodeName().IsMatch(Path.GetFileName(machinePath));

    [GeneratedRegex(@"^mtgpu\.?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex GpuNodeName();
}
