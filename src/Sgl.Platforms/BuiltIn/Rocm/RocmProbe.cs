using System.Globalization;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.BuiltIn.Rocm;

/// <summary>
/// Finds AMD GPUs that ROCm can use: GPU nodes in the KFD topology, and <c>/dev/kfd</c> through which the
/// ROCm runtime reaches them. AMD PCI display functions are evidence for a clear reason when KFD is missing.
/// </summary>
internal static class RocmProbe
{
    /// <summary>AMD/ATI's PCI vendor id (Linux <c>include/linux/pci_ids.h</c>, PCI_VENDOR_ID_ATI).</summary>
    public const ushort AmdVendorId = 0x1002;

    /// <summary>Runs the probe.</summary>
    /// <param name="context">The system view and cancellation token.</param>
    public static ProbeResult Run(ProbeContext context)
    {
        var system = context.System;
        var nodes = KfdTopology.ReadGpuNodes(system, context.CancellationToken);
        var pci = system.FindPciDevices(AmdVendorId);
        var hasKfd = system.Exists("/dev/kfd");

        if (nodes.Count == 0)
        {
            if (pci.Count == 0)
            {
                return ProbeResult.NotPresent(
                    $"No AMD GPU found: no GPU node under {KfdTopology.NodesPath} and no PCI display or accelerator function with vendor 0x{AmdVendorId:x4}.");
            }

            var listed = EvidenceList.Join(pci, d => $"{d.Address} [1002:{d.DeviceId:x4}] driver {d.Driver ?? "none"}");
            return pci.Any(d => d.Driver == "amdgpu")
                ? ProbeResult.Unavailable(
                    $"Found AMD GPU(s) {listed}, but the amdgpu driver exposes no compute node under {KfdTopology.NodesPath}. " +
                    "The GPU may not support ROCm compute, or the kernel lacks KFD (CONFIG_HSA_AMD); install the ROCm-supported amdgpu driver (amdgpu-dkms).")
                : ProbeResult.Unavailable(
                    $"Found AMD GPU(s) {listed}, but the amdgpu kernel driver is not bound to them. Install and load the amdgpu driver (amdgpu-dkms from the ROCm repository, then modprobe amdgpu).");
        }

        var driverVersion = system.ReadText("/sys/module/amdgpu/version")?.Trim() is { Length: > 0 } v ? v : null;
        var devices = nodes.Select((node, index) => ToDevice(node, index, driverVersion)).ToArray();
        if (!hasKfd)
        {
            return ProbeResult.Unavailable(
                $"Found {devices.Length} AMD GPU(s) in the KFD topology ({Describe(devices)}), but /dev/kfd is missing, so the ROCm runtime cannot reach them. " +
                "In a container, pass --device=/dev/kfd --device=/dev/dri; on the host, check that the amdgpu driver created /dev/kfd.",
                devices);
        }

        return ProbeResult.Available(devices, $"KFD topology lists {devices.Length} GPU node(s) and /dev/kfd is present.");
    }

    private static DeviceInfo ToDevice(KfdGpuNode node, int index, string? driverVersion)
    {
        var target = node.GfxTarget;
        var name = node.Name is { } n && !n.StartsWith("gfx", StringComparison.Ordinal) ? n : null;
        name ??= string.Create(CultureInfo.InvariantCulture, $"AMD GPU {target ?? "(unknown gfx target)"} [{node.VendorId:x4}:{node.DeviceId:x4}]");
        return new DeviceInfo(index, name)
        {
            MemoryBytes = node.FrameBufferBytes,
            Capability = target,
            Uuid = node.Uuid,
            PciBusId = node.PciBusId,
            DriverVersion = driverVersion,
        };
    }

    private static string Describe(IReadOnlyCollection<DeviceInfo> devices) =>
        EvidenceList.Join(devices, d => d.PciBusId is null ? d.Name : $"{d.Name} at {d.PciBusId}");
}
