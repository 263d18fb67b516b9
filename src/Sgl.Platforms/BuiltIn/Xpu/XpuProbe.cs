using System.Text.RegularExpressions;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.BuiltIn.Xpu;

/// <summary>
/// Finds Intel GPUs for XPU work: Intel PCI display (or accelerator) functions bound to the <c>i915</c> or
/// <c>xe</c> driver whose DRM render node (<c>/dev/dri/renderD*</c>) exists.
/// </summary>
/// <remarks>
/// Integrated GPUs (the fixed PCI slot 00:02.x on Intel platforms) are skipped unless
/// <see cref="IncludeIntegratedVariable"/> is 1: almost every Intel host has one, and selecting it over
/// the CPU by default would surprise users far more often than it would help.
/// </remarks>
internal static partial class XpuProbe
{
    /// <summary>Intel's PCI vendor id (Linux <c>include/linux/pci_ids.h</c>, PCI_VENDOR_ID_INTEL).</summary>
    public const ushort IntelVendorId = 0x8086;

    /// <summary>Set to 1 to count integrated GPUs as XPU devices.</summary>
    public const string IncludeIntegratedVariable = "SGL_XPU_INCLUDE_INTEGRATED";

    private static readonly string[] GpuDrivers = ["i915", "xe"];

    /// <summary>Runs the probe.</summary>
    /// <param name="context">The system view and cancellation token.</param>
    public static ProbeResult Run(ProbeContext context)
    {
        var system = context.System;
        var includeIntegrated = system.GetEnvironmentVariable(IncludeIntegratedVariable) == "1";
        var candidates = system.FindPciDevices(IntelVendorId)
            .Where(d => d.IsDisplayController || GpuDrivers.Contains(d.Driver))
            .ToArray();
        var integrated = candidates.Where(IsIntegrated).ToArray();
        var gpus = includeIntegrated ? candidates : candidates.Except(integrated).ToArray();

        if (gpus.Length == 0)
        {
            var reason = $"No Intel discrete GPU found: no PCI display function with vendor 0x{IntelVendorId:x4} outside the integrated-GPU slot.";
            if (integrated.Length > 0)
            {
                reason += $" The integrated GPU at {EvidenceList.Join(integrated, d => d.Address)} is not used; set {IncludeIntegratedVariable}=1 to use it.";
            }

            return ProbeResult.NotPresent(reason);
        }

        var devices = new List<DeviceInfo>();
        var problems = new List<string>();
        foreach (var gpu in gpus)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var label = $"{gpu.Address} [8086:{gpu.DeviceId:x4}]";
            if (!GpuDrivers.Contains(gpu.Driver))
            {
                problems.Add($"{label} is bound to {(gpu.Driver is null ? "no driver" : $"driver '{gpu.Driver}'")}; load the i915 or xe kernel driver (Intel's GPU driver packages for Data Center GPUs)");
                continue;
            }

            var renderNode = FindRenderNode(system, gpu.Address);
            if (renderNode is null)
            {
                problems.Add($"{label} ({gpu.Driver}) has no /dev/dri/renderD* node; in a container pass --device=/dev/dri and add the user to the render group");
                continue;
            }

            devices.Add(new DeviceInfo(devices.Count, $"Intel GPU [8086:{gpu.DeviceId:x4}] ({renderNode})")
            {
                PciBusId = gpu.Address,
            });
        }

        if (devices.Count == 0)
        {
            return ProbeResult.Unavailable($"Found Intel GPU(s) but none is usable: {EvidenceList.Join(problems, "; ")}.");
        }

        var note = $"{devices.Count} Intel GPU(s) with the i915/xe driver and a DRM render node.";
        if (problems.Count > 0)
        {
            note += $" Not usable: {EvidenceList.Join(problems, "; ")}.";
        }

        return ProbeResult.Available(devices, note);
    }

    private static bool IsIntegrated(PciDevice device) => IntegratedSlotPattern().IsMatch(device.Address);

    /// <summary>The render node the GPU's sysfs <c>drm</c> folder names, if that node exists under /dev/dri.</summary>
    private static string? FindRenderNode(SystemView system, string address)
    {
        foreach (var entry in system.ListDirectories($"/sys/bus/pci/devices/{address}/drm"))
        {
            var name = Path.GetFileName(entry);
            if (name.StartsWith("renderD", StringComparison.Ordinal) && system.Exists("/dev/dri/" + name))
            {
                return "/dev/dri/" + name;
            }
        }

        return null;
    }

    [GeneratedRegex(@"^[0-9a-f]{4}:00:02\.[0-7]$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex IntegratedSlotPattern();
}
