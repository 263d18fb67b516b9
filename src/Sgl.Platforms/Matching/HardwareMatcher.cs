using Sgl.Platforms.Probing;

namespace Sgl.Platforms.Matching;

/// <summary>The result of evaluating a platform's rules against the machine.</summary>
internal enum MatchVerdict
{
    /// <summary>A rule matched: load and probe.</summary>
    Matched,

    /// <summary>Every rule failed: the hardware is not there; load nothing.</summary>
    NoMatch,

    /// <summary>The machine could not answer (no PCI bus in sysfs, no module list): load and probe, as without rules.</summary>
    Undecided,
}

/// <summary>
/// Evaluates <c>[HardwareMatch]</c> rules against a <see cref="SystemView"/>: PCI functions from
/// <c>/sys/bus/pci/devices</c>, device nodes under <c>/dev</c>, kernel modules from <c>/sys/module</c> and
/// <c>/sys/bus/pci/drivers</c>. Reads the machine once per resolution; runs no plugin code.
/// </summary>
internal sealed class HardwareMatcher(SystemView system)
{
    private const string PciDevicesPath = "/sys/bus/pci/devices";
    private readonly Dictionary<string, bool> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool?> _drivers = new(StringComparer.Ordinal);
    private bool? _pciReadable;

    public SystemView System { get; } = system;

    /// <summary>True when sysfs lists PCI functions here; false on machines (or fake roots) without a PCI bus in sysfs.</summary>
    public bool PciReadable => _pciReadable ??= System.Exists(PciDevicesPath);

    /// <summary>Any rule matching wins; a rule the machine cannot answer keeps the platform in the running.</summary>
    public MatchVerdict Evaluate(IReadOnlyList<HardwareRule> rules)
    {
        if (rules.Count == 0)
        {
            return MatchVerdict.Matched;
        }

        var undecided = false;
        foreach (var rule in rules)
        {
            switch (Evaluate(rule))
            {
                case MatchVerdict.Matched:
                    return MatchVerdict.Matched;
                case MatchVerdict.Undecided:
                    undecided = true;
                    break;
            }
        }

        return undecided ? MatchVerdict.Undecided : MatchVerdict.NoMatch;
    }

    /// <summary>Every criterion the rule sets must hold; an unanswerable one leaves the rule undecided unless another fails.</summary>
    public MatchVerdict Evaluate(HardwareRule rule)
    {
        var undecided = false;
        if (rule.HasPci)
        {
            if (!PciReadable)
            {
                undecided = true;
            }
            else if (!System.GetPciDevices().Any(d => Matches(rule, d)))
            {
                return MatchVerdict.NoMatch;
            }
        }

        if (rule.DeviceNodes.Count > 0 && !rule.DeviceNodes.Any(NodeExists))
        {
            return MatchVerdict.NoMatch;
        }

        if (rule.KernelDrivers.Count > 0)
        {
            var loaded = rule.KernelDrivers.Select(DriverLoaded).ToList();
            if (loaded.All(l => l == false))
            {
                return MatchVerdict.NoMatch;
            }

            undecided |= !loaded.Contains(true);
        }

        return undecided ? MatchVerdict.Undecided : MatchVerdict.Matched;
    }

    /// <summary>True when the PCI function is one the rule names.</summary>
    public static bool Matches(HardwareRule rule, PciDevice device) =>
        rule.PciVendor == device.VendorId
        && (rule.PciDevices.Count == 0 || rule.PciDevices.Contains(device.DeviceId))
        && (rule.PciClasses.Count == 0 || rule.PciClasses.Any(c => c <= 0xff ? device.BaseClass == c : (device.ClassCode >> 8) == c));

    private bool NodeExists(string pattern)
    {
        if (!_nodes.TryGetValue(pattern, out var exists))
        {
            exists = System.FindDeviceNodes(HardwareRule.RelativeToDev(pattern)).Count > 0;
            _nodes[pattern] = exists;
        }

        return exists;
    }

    /// <summary>True when loaded, false when not, null when neither module list is readable.</summary>
    private bool? DriverLoaded(string driver)
    {
        if (!_drivers.TryGetValue(driver, out var loaded))
        {
            loaded = System.Exists("/sys/module/" + driver) || System.Exists("/sys/bus/pci/drivers/" + driver) ? true
                : System.Exists("/sys/module") || System.Exists("/sys/bus/pci/drivers") ? false
                : null;
            _drivers[driver] = loaded;
        }

        return loaded;
    }
}
