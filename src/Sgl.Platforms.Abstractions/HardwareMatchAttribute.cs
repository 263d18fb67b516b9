namespace Sgl.Platforms;

/// <summary>
/// Declares hardware a platform drives, so the host can tell from the machine alone whether the platform could
/// be present, without loading its assembly. Apply it next to <c>[PlatformMetadata]</c>, once per alternative:
/// the platform matches when any of its rules matches; within one rule every property that is set must hold.
/// </summary>
/// <remarks>
/// <para>The host reads this attribute from the assembly's metadata (as the Linux kernel reads a driver's
/// <c>MODULE_DEVICE_TABLE</c>). A platform whose rules all fail on the machine is reported NotPresent with the
/// reason "no matching hardware (…)" and none of its code is loaded; a platform that matches, or declares no
/// rule, is loaded and probed. Rules must therefore cover everything the probe would count as evidence, or a
/// half-installed machine is reported NotPresent instead of Unavailable.</para>
/// <para>Contract 1.1. A malformed rule (vendor 0x0000 or 0xffff, an empty or escaping glob, a rule that sets
/// nothing) is the platform's Rejected row, quoting the rule.</para>
/// </remarks>
/// <example>
/// <code>
/// [HardwareMatch(PciVendor = 0x1ed5, PciClasses = [0x03, 0x12])]
/// [HardwareMatch(DeviceNodes = ["mtgpu*"])]
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class HardwareMatchAttribute : Attribute
{
    /// <summary>A PCI vendor id (<c>/sys/bus/pci/devices/*/vendor</c>), for example 0x1ed5 for Moore Threads; 0 when the rule names none.</summary>
    public ushort PciVendor { get; set; }

    /// <summary>PCI device ids of <see cref="PciVendor"/> that match; empty for every device of the vendor.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1819:Properties should not return arrays", Justification = "Attribute arguments can only be arrays.")]
    public ushort[] PciDevices { get; set; } = [];

    /// <summary>
    /// PCI classes that match: a value up to 0xff is a base class (0x03 display controller, 0x12 processing
    /// accelerator), a larger one is base class and subclass (0x0302 3D controller). Empty for every class.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1819:Properties should not return arrays", Justification = "Attribute arguments can only be arrays.")]
    public ushort[] PciClasses { get; set; } = [];

    /// <summary>Device-node patterns under <c>/dev</c> (<c>mtgpu*</c>, <c>/dev/accel/accel*</c>); '*' and '?' in the last segment only. Any one existing matches.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1819:Properties should not return arrays", Justification = "Attribute arguments can only be arrays.")]
    public string[] DeviceNodes { get; set; } = [];

    /// <summary>Kernel driver (module) names, seen under <c>/sys/module</c> or <c>/sys/bus/pci/drivers</c>. Any one loaded matches.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1819:Properties should not return arrays", Justification = "Attribute arguments can only be arrays.")]
    public string[] KernelDrivers { get; set; } = [];
}
