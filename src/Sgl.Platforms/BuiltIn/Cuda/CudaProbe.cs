using System.Globalization;
using System.Text.RegularExpressions;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>
/// Finds NVIDIA GPUs through NVML only. PCI functions and <c>/dev/nvidia*</c> nodes are read as evidence,
/// so a missing or broken driver library is reported as Unavailable with a fix rather than NotPresent.
/// </summary>
/// <remarks>Never loads libcuda or calls cuInit: a CUDA context created before a fork breaks the workers.</remarks>
internal static partial class CudaProbe
{
    /// <summary>NVIDIA's PCI vendor id (Linux <c>include/linux/pci_ids.h</c>, PCI_VENDOR_ID_NVIDIA).</summary>
    public const ushort NvidiaVendorId = 0x10de;

    private const string InstallHint =
        "Install the NVIDIA driver (it ships libnvidia-ml.so.1) or add the folder that holds libnvidia-ml.so.1 to LD_LIBRARY_PATH; " +
        "in a container, start it with the NVIDIA Container Toolkit (for example docker run --gpus all).";

    /// <summary>Runs the probe.</summary>
    /// <param name="context">The system view and cancellation token.</param>
    /// <param name="nvmlLibrary">The NVML library name or path (tests pass a shim).</param>
    public static ProbeResult Run(ProbeContext context, string nvmlLibrary)
    {
        var system = context.System;
        var evidence = DescribeEvidence(system);

        if (!Nvml.TryLoad(nvmlLibrary, out var nvml, out var loadError))
        {
            return evidence is null
                ? ProbeResult.NotPresent(
                    $"No NVIDIA GPU found: no PCI display or accelerator function with vendor 0x{NvidiaVendorId:x4} under /sys/bus/pci/devices, " +
                    $"no /dev/nvidia[0-9]* device node, and {nvmlLibrary} is not loadable.")
                : ProbeResult.Unavailable($"Found {evidence}, but {loadError}. {InstallHint}");
        }

        using (nvml)
        {
            var init = nvml.Initialize();
            if (init != Nvml.Success)
            {
                var error = nvml.Describe(init);
                return evidence is null
                    ? ProbeResult.NotPresent($"{nvmlLibrary} is installed but nvmlInit failed ({error}) and no NVIDIA PCI device or /dev/nvidia[0-9]* node was found.")
                    : ProbeResult.Unavailable(
                        $"Found {evidence}, but NVML could not initialise: {error}. " +
                        "Check that the NVIDIA kernel module is loaded (nvidia-smi shows the GPUs) and that the driver and libnvidia-ml.so.1 versions match.");
            }

            var driverVersion = nvml.GetDriverVersion(out var version) == Nvml.Success ? version : null;
            var countResult = nvml.GetDeviceCount(out var count);
            if (countResult != Nvml.Success || count == 0)
            {
                var why = countResult != Nvml.Success ? $"nvmlDeviceGetCount failed: {nvml.Describe(countResult)}" : "NVML reports 0 GPUs";
                return evidence is null
                    ? ProbeResult.NotPresent($"No NVIDIA GPU found: {why}, and no NVIDIA PCI device or /dev/nvidia[0-9]* node exists.")
                    : ProbeResult.Unavailable(
                        $"Found {evidence}, but {why}. Check nvidia-smi; in a container, pass the GPUs in (docker run --gpus all).");
            }

            var physical = new List<DeviceInfo>(count);
            var failures = new List<string>();
            for (var i = 0; i < count; i++)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                var device = ReadDevice(nvml, i, driverVersion, out var failure);
                if (device is null)
                {
                    failures.Add(failure!);
                    continue;
                }

                physical.Add(device);
            }

            if (physical.Count == 0)
            {
                return ProbeResult.Unavailable(
                    $"NVML reports {count} GPU(s) but none could be read: {EvidenceList.Join(failures, "; ")}. Check nvidia-smi and the device permissions of /dev/nvidia*.");
            }

            var visibleValue = system.GetEnvironmentVariable(CudaVisibleDevices.VariableName);
            var visible = CudaVisibleDevices.Apply(visibleValue, physical, d => d.Uuid);
            if (visible.Count == 0)
            {
                return ProbeResult.Unavailable(
                    $"{CudaVisibleDevices.VariableName}='{visibleValue}' hides all {physical.Count} NVIDIA GPU(s) NVML reports; " +
                    $"unset it or list device indices or GPU- UUIDs (MIG- ids are not resolved).",
                    physical);
            }

            var devices = visible.Select((d, ordinal) => d with { Index = ordinal }).ToArray();
            var note = $"NVML {driverVersion ?? "(driver version unknown)"} reports {devices.Length} visible GPU(s)";
            if (visibleValue is not null)
            {
                note += $" ({CudaVisibleDevices.VariableName}={visibleValue})";
            }

            if (failures.Count > 0)
            {
                note += $"; skipped: {EvidenceList.Join(failures, "; ")}";
            }

            return ProbeResult.Available(devices, note + ".");
        }
    }

    /// <summary>What on the machine says an NVIDIA GPU is there, in words, or null when nothing does.</summary>
    /// <param name="system">The system view.</param>
    public static string? DescribeEvidence(SystemView system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var pci = system.FindPciDevices(NvidiaVendorId);
        var nodes = system.FindDeviceNodes("nvidia*").Where(n => DeviceNodePattern().IsMatch(n)).ToArray();
        var parts = new List<string>();
        if (pci.Count > 0)
        {
            parts.Add($"{pci.Count} NVIDIA PCI device(s) ({EvidenceList.Join(pci, d => string.Create(CultureInfo.InvariantCulture, $"{d.Address} [10de:{d.DeviceId:x4}]"))})");
        }

        if (nodes.Length > 0)
        {
            parts.Add($"device node(s) {EvidenceList.Join(nodes)}");
        }

        return parts.Count == 0 ? null : string.Join(" and ", parts);
    }

    private static DeviceInfo? ReadDevice(Nvml nvml, int index, string? driverVersion, out string? failure)
    {
        failure = null;
        var handleResult = nvml.GetDeviceHandle(index, out var handle);
        if (handleResult != Nvml.Success)
        {
            failure = $"GPU {index}: {nvml.Describe(handleResult)}";
            return null;
        }

        var name = nvml.GetName(handle, out var n) == Nvml.Success ? n : null;
        var uuid = nvml.GetUuid(handle, out var u) == Nvml.Success ? u : null;
        long? memory = nvml.GetMemoryInfo(handle, out var m) == Nvml.Success ? (long)m.Total : null;
        var capability = nvml.GetCudaComputeCapability(handle, out var major, out var minor) == Nvml.Success
            ? string.Create(CultureInfo.InvariantCulture, $"{major}.{minor}")
            : null;
        var busId = nvml.GetPciBusId(handle, out var b) == Nvml.Success ? NormalizeBusId(b) : null;

        return new DeviceInfo(index, string.IsNullOrWhiteSpace(name) ? $"NVIDIA GPU {index}" : name)
        {
            MemoryBytes = memory,
            Capability = capability,
            Uuid = uuid,
            PciBusId = busId,
            DriverVersion = driverVersion,
        };
    }

    /// <summary>NVML writes <c>00000000:3B:00.0</c>; sysfs and the other probes use <c>0000:3b:00.0</c>.</summary>
    internal static string? NormalizeBusId(string? busId)
    {
        if (string.IsNullOrWhiteSpace(busId))
        {
            return null;
        }

        var colon = busId.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && uint.TryParse(busId.AsSpan(0, colon), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var domain))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{domain:x4}{busId[colon..].ToLowerInvariant()}");
        }

        return busId.ToLowerInvariant();
    }

    [GeneratedRegex(@"^/dev/nvidia[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex DeviceNodePattern();
}
