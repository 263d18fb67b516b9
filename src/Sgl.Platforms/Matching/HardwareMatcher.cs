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
    // Plain loops and no caches of nullable values below: every generic instantiation over a new value type is
    // jitted at a cold start, and this runs in every process (docs/performance.md).
    private const string PciDevicesPath = "/sys/bus/pci/devices";
    private int _pciReadable; // 0 unknown, 1 yes, 2 no

    public SystemView System { get; } = system;

    /// <summary>True when sysfs lists PCI functions here; false on machines (or fake roots) without a PCI bus in sysfs.</summary>
    public bool PciReadable
    {
        get
        {
            if (_pciReadable == 0)
            {
                _pciReadable = System.Exists(PciDevicesPath) ? 1 : 2;
            }

            return _pciReadable == 1;
        }
    }

    /// <summary>Any rule matching wins; a rule the machine cannot answer keeps the platform in the running.</summary>
    public MatchVerdict Evaluate(IReadOnlyList<HardwareRule> rules)
    {
        if (rules.Count == 0)
        {
            return MatchVerdict.Matched;
        }

        var undecided = false;
        for (var i = 0; i < rules.Count; i++)
        {
            var verdict = Evaluate(rules[i]);
            if (verdict == MatchVerdict.Matched)
            {
                return MatchVerdict.Matched;
            }

            undecided |= verdict == MatchVerdict.Undecided;
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
            else if (!AnyPciDevice(rule))
            {
                return MatchVerdict.NoMatch;
            }
        }

        if (rule.DeviceNodes.Count > 0)
        {
            var found = false;
            for (var i = 0; i < rule.DeviceNodes.Count && !found; i++)
            {
                found = System.FindDeviceNodes(HardwareRule.RelativeToDev(rule.DeviceNodes[i])).Count > 0;
            }

            if (!found)
            {
                return MatchVerdict.NoMatch;
            }
        }

        if (rule.KernelDrivers.Count > 0)
        {
            var loaded = false;
            for (var i = 0; i < rule.KernelDrivers.Count && !loaded; i++)
            {
                loaded = System.Exists("/sys/module/" + rule.KernelDrivers[i]) || System.Exists("/sys/bus/pci/drivers/" + rule.KernelDrivers[i]);
            }

            if (!loaded)
            {
                // Not loaded, unless the machine shows no module list at all.
                if (System.Exists("/sys/module") || System.Exists("/sys/bus/pci/drivers"))
                {
                    return MatchVerdict.NoMatch;
                }

                undecided = true;
            }
        }

        return undecided ? MatchVerdict.Undecided : MatchVerdict.Matched;
    }

    /// <summary>True when the PCI function is one the rule names.</summary>
    public static bool Matches(HardwareRule rule, PciDevice device)
    {
        if (rule.PciVendor != device.VendorId)
        {
            return false;
        }

        var devices = rule.PciDevices;
        var deviceMatches = devices.Count == 0;
        for (var i = 0; i < devices.Count && !deviceMatches; i++)
        {
            deviceMatches = devices[i] == device.DeviceId;
        }

        var classes = rule.PciClasses;
        var classMatches = classes.Count == 0;
        for (var i = 0; i < classes.Count && !classMatches; i++)
        {
            classMatches = classes[i] <= 0xff ? device.BaseClass == classes[i] : (device.ClassCode >> 8) == classes[i];
        }

        return deviceMatches && classMatches;
    }

    private bool AnyPciDevice(HardwareRule rule)
    {
        var devices = System.GetPciDevices();
        for (var i = 0; i < devices.Count; i++)
        {
            if (Matches(rule, devices[i]))
            {
                return true;
            }
        }

        return false;
    }
}
