using Sgl.Platforms.Probing;

namespace Sgl.Cli.Doctor;

/// <summary>
/// Accelerator vendors doctor can name when no candidate claims their hardware, as JAX names the plugin a
/// machine's GPU needs from <c>/sys/bus/pci/devices/*/vendor</c>. Vendor ids are the Linux kernel's
/// <c>include/linux/pci_ids.h</c> (or the vendor's driver) names for them.
/// </summary>
internal static class KnownAccelerators
{
    /// <summary>One vendor's accelerators.</summary>
    /// <param name="VendorId">The PCI vendor id.</param>
    /// <param name="Vendor">The vendor as users know it.</param>
    /// <param name="Product">What its accelerator is called ("GPU", "NPU").</param>
    /// <param name="Platform">The platform that drives it: a built-in's name, or the plugin's.</param>
    /// <param name="Package">The package that ships the platform; null for a built-in or when none is known.</param>
    /// <param name="IsAccelerator">Which PCI functions of the vendor are accelerators (vendors also make NICs, audio functions, bridges).</param>
    internal sealed record Entry(ushort VendorId, string Vendor, string Product, string Platform, string? Package, Func<PciDevice, bool> IsAccelerator)
    {
        /// <summary>Kernel modules of its driver, and the user-space library its platform's probe needs once the driver is there.</summary>
        public IReadOnlyList<(string Module, string Library)> DriverLibraries { get; init; } = [];

        /// <summary>The variable that hides devices from its runtime (empty, or -1, hides them all).</summary>
        public string? VisibilityVariable { get; init; }
    }

    private static bool DisplayOrAccelerator(PciDevice d) => d.IsDisplayController || d.IsProcessingAccelerator;

    public static IReadOnlyList<Entry> All { get; } =
    [
        new(0x10de, "NVIDIA", "GPU", "cuda", null, DisplayOrAccelerator)
        {
            DriverLibraries = [("nvidia", "libnvidia-ml.so.1")],
            VisibilityVariable = "CUDA_VISIBLE_DEVICES",
        },
        new(0x1002, "AMD", "GPU", "rocm", null, DisplayOrAccelerator),
        // Huawei also makes NICs and storage controllers: only its processing accelerators are Ascend NPUs.
        new(0x19e5, "Huawei Ascend", "NPU", "npu", null, d => d.IsProcessingAccelerator),
        // Intel: only display functions (0x0300 VGA, 0x0302 3D, 0x0380 other) are GPUs; every Intel host has dozens of other functions.
        new(0x8086, "Intel", "GPU", "xpu", null, d => d.IsDisplayController),
        new(0x1da3, "Intel Gaudi (Habana Labs)", "accelerator", "hpu", null, _ => true),
        new(0x1ed5, "Moore Threads", "GPU", "musa", "Sgl.Platform.Musa", DisplayOrAccelerator)
        {
            DriverLibraries = [("mtgpu", "libmtml.so")],
        },
        new(0xcabc, "Cambricon", "MLU", "mlu", null, DisplayOrAccelerator),
        new(0x1e52, "Tenstorrent", "accelerator", "tenstorrent", null, _ => true),
    ];

    /// <summary>The entry whose accelerator this PCI function is, or null.</summary>
    public static Entry? Of(PciDevice device) => All.FirstOrDefault(e => e.VendorId == device.VendorId && e.IsAccelerator(device));
}
