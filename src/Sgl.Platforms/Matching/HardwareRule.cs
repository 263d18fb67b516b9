using System.Globalization;
using System.Text;

namespace Sgl.Platforms.Matching;

/// <summary>One <c>[HardwareMatch]</c> rule as the plugin wrote it (read from metadata, or a built-in's table).</summary>
/// <param name="PciVendor">The vendor id, or null when the rule leaves it unset (an explicit 0 is kept, to be refused).</param>
internal sealed record HardwareRule(ushort? PciVendor)
{
    public IReadOnlyList<ushort> PciDevices { get; init; } = [];

    public IReadOnlyList<ushort> PciClasses { get; init; } = [];

    public IReadOnlyList<string> DeviceNodes { get; init; } = [];

    public IReadOnlyList<string> KernelDrivers { get; init; } = [];

    public bool HasPci => PciVendor is not null || PciDevices.Count > 0 || PciClasses.Count > 0;

    /// <summary>The rule in the attribute's own syntax, for quoting in a rejection.</summary>
    public string Quote()
    {
        var parts = new List<string>();
        if (PciVendor is { } vendor)
        {
            parts.Add(Hex("PciVendor = ", vendor));
        }

        if (PciDevices.Count > 0)
        {
            parts.Add($"PciDevices = [{JoinHex(PciDevices, ", ", classes: false)}]");
        }

        if (PciClasses.Count > 0)
        {
            parts.Add($"PciClasses = [{JoinHex(PciClasses, ", ", classes: true)}]");
        }

        if (DeviceNodes.Count > 0)
        {
            parts.Add($"DeviceNodes = [{string.Join(", ", DeviceNodes.Select(n => $"\"{n}\""))}]");
        }

        if (KernelDrivers.Count > 0)
        {
            parts.Add($"KernelDrivers = [{string.Join(", ", KernelDrivers.Select(n => $"\"{n}\""))}]");
        }

        return $"[HardwareMatch({string.Join(", ", parts)})]";
    }

    /// <summary>The rule in words, for the NotPresent reason: <c>PCI 1ed5 class 0x03|0x12 and /dev/mtgpu*</c>.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (HasPci)
        {
            var pci = new StringBuilder("PCI ").Append(Hex("", PciVendor ?? 0)[2..]);
            if (PciDevices.Count > 0)
            {
                pci.Append(':').Append(JoinHex(PciDevices, "|", classes: false).Replace("0x", "", StringComparison.Ordinal));
            }

            if (PciClasses.Count > 0)
            {
                pci.Append(" class ").Append(JoinHex(PciClasses, "|", classes: true));
            }

            parts.Add(pci.ToString());
        }

        if (DeviceNodes.Count > 0)
        {
            parts.Add(string.Join(" or ", DeviceNodes.Select(NodePath)));
        }

        if (KernelDrivers.Count > 0)
        {
            parts.Add("driver " + string.Join(" or ", KernelDrivers));
        }

        return string.Join(" and ", parts);
    }

    /// <summary>What is wrong with the rule, or null when it is well formed.</summary>
    public string? Problem()
    {
        if (!HasPci && DeviceNodes.Count == 0 && KernelDrivers.Count == 0)
        {
            return "it sets nothing to match; set PciVendor, DeviceNodes or KernelDrivers, or remove the attribute";
        }

        if (PciVendor is 0 or 0xffff)
        {
            return $"PciVendor 0x{PciVendor:x4} is not a PCI vendor id (0x0000 and 0xffff mean no device); use the id `lspci -nn` shows, for example 0x1ed5";
        }

        if (PciVendor is null && (PciDevices.Count > 0 || PciClasses.Count > 0))
        {
            return "PciDevices and PciClasses need a PciVendor; device ids and classes mean nothing without the vendor";
        }

        if (PciDevices.Any(d => d == 0xffff))
        {
            return "PCI device id 0xffff means no device; use the id `lspci -nn` shows";
        }

        foreach (var node in DeviceNodes)
        {
            if (NodeProblem(node) is { } problem)
            {
                return problem;
            }
        }

        foreach (var driver in KernelDrivers)
        {
            if (string.IsNullOrEmpty(driver) || !driver.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return $"kernel driver '{driver}' is not a module name (letters, digits, '_' or '-', as lsmod shows it)";
            }
        }

        return null;
    }

    /// <summary>The pattern relative to /dev (<c>accel/accel*</c>), as <see cref="Probing.SystemView.FindDeviceNodes"/> takes it.</summary>
    public static string RelativeToDev(string node) => node.StartsWith("/dev/", StringComparison.Ordinal) ? node["/dev/".Length..] : node;

    private static string NodePath(string node) => "/dev/" + RelativeToDev(node);

    private static string? NodeProblem(string? node)
    {
        if (string.IsNullOrWhiteSpace(node))
        {
            return "a device-node glob is empty; write the pattern under /dev, for example \"mtgpu*\"";
        }

        if (node.StartsWith('/') && !node.StartsWith("/dev/", StringComparison.Ordinal))
        {
            return $"device-node glob '{node}' is outside /dev; write it relative to /dev (\"accel/accel*\") or starting with /dev/";
        }

        var relative = RelativeToDev(node);
        var segments = relative.Split('/');
        if (!relative.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '+' or ':' or '*' or '?' or '/' or '-') || segments.Any(s => s.Length == 0 || s is "." or ".."))
        {
            return $"device-node glob '{node}' is not a path under /dev (letters, digits, '.', '_', '-', '+', ':' and '/' segments, no '..')";
        }

        if (segments[..^1].Any(s => s.IndexOfAny(['*', '?']) >= 0))
        {
            return $"device-node glob '{node}' has '*' or '?' before its last segment; only the last segment may hold wildcards";
        }

        if (!segments[^1].Any(c => c is not ('*' or '?')))
        {
            return $"device-node glob '{node}' matches every node of its folder; name the driver's nodes, for example \"mtgpu*\"";
        }

        return null;
    }

    /// <summary>0x-prefixed hex values joined by <paramref name="separator"/>; classes up to 0xff as two digits. A loop, not LINQ over ushort: it runs on every cold start.</summary>
    private static string JoinHex(IReadOnlyList<ushort> values, string separator, bool classes)
    {
        var text = new StringBuilder();
        for (var i = 0; i < values.Count; i++)
        {
            text.Append(i == 0 ? "" : separator).Append(Hex("", values[i], classes && values[i] <= 0xff ? 2 : 4));
        }

        return text.ToString();
    }

    private static string Hex(string prefix, int value, int digits = 4) =>
        prefix + "0x" + value.ToString("x" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
