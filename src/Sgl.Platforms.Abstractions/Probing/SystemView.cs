using System.Globalization;
using System.Runtime.InteropServices;

namespace Sgl.Platforms.Probing;

/// <summary>
/// The machine as a probe sees it: files under a root (normally <c>/</c>, or <c>SGL_SYSTEM_ROOT</c> so
/// tests and vendors can simulate hardware with a fake tree), the environment, and native libraries
/// found by the normal loader search.
/// </summary>
/// <remarks>Everything here only reads; nothing initialises a driver.</remarks>
public sealed class SystemView
{
    private readonly Func<string, string?> _environment;
    private readonly Lock _pciGate = new();
    private IReadOnlyList<PciDevice>? _pciDevices;

    /// <summary>Creates a view of the machine rooted at <paramref name="root"/>.</summary>
    /// <param name="root">The directory that stands for <c>/</c>.</param>
    /// <param name="environment">Reads an environment variable; defaults to the process environment.</param>
    public SystemView(string root, Func<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        _environment = environment ?? Environment.GetEnvironmentVariable;
    }

    /// <summary>The view of the real machine.</summary>
    public static SystemView Host { get; } = new("/");

    /// <summary>The directory that stands for <c>/</c>.</summary>
    public string Root { get; }

    /// <summary>Maps a path as the machine names it (<c>/sys/class/kfd</c>) to the file under <see cref="Root"/>.</summary>
    /// <param name="machinePath">An absolute or root-relative path.</param>
    public string MapPath(string machinePath)
    {
        ArgumentNullException.ThrowIfNull(machinePath);
        return Path.Combine(Root, machinePath.TrimStart('/'));
    }

    /// <summary>Reads a text file such as <c>/proc/meminfo</c>; null when it is missing or unreadable.</summary>
    /// <param name="machinePath">The path as the machine names it.</param>
    public string? ReadText(string machinePath)
    {
        var path = MapPath(machinePath);
        // Probes read many files that are absent on most machines; a thrown and caught exception costs
        // a cold process milliseconds, a stat does not. The catch still covers a file removed meanwhile.
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>True when the file or directory exists.</summary>
    /// <param name="machinePath">The path as the machine names it.</param>
    public bool Exists(string machinePath)
    {
        var path = MapPath(machinePath);
        return File.Exists(path) || Directory.Exists(path);
    }

    /// <summary>The immediate subdirectories of a directory (full machine paths), or none when it is missing.</summary>
    /// <param name="machinePath">The path as the machine names it.</param>
    public IReadOnlyList<string> ListDirectories(string machinePath)
    {
        var path = MapPath(machinePath);
        try
        {
            return Directory.Exists(path)
                ? Directory.GetDirectories(path).Select(ToMachinePath).Order(StringComparer.Ordinal).ToArray()
                : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>
    /// Device nodes matching a pattern under <c>/dev</c>, for example <c>davinci*</c>, <c>dri/renderD*</c>
    /// or <c>accel/accel*</c>. Returns machine paths (<c>/dev/davinci0</c>) in natural order.
    /// </summary>
    /// <param name="pattern">A file pattern relative to <c>/dev</c>; '*' and '?' apply to the last segment only.</param>
    public IReadOnlyList<string> FindDeviceNodes(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        var slash = pattern.LastIndexOf('/');
        var directory = slash < 0 ? "/dev" : "/dev/" + pattern[..slash];
        var filePattern = slash < 0 ? pattern : pattern[(slash + 1)..];
        var path = MapPath(directory);
        try
        {
            return Directory.Exists(path)
                ? Directory.EnumerateFileSystemEntries(path, filePattern)
                    .Select(ToMachinePath)
                    .OrderBy(p => p.Length)
                    .ThenBy(p => p, StringComparer.Ordinal)
                    .ToArray()
                : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Every PCI function under <c>/sys/bus/pci/devices</c>; unreadable entries are skipped.</summary>
    public IReadOnlyList<PciDevice> GetPciDevices()
    {
        // Probes run in parallel on one view: the tree is read once, not once per probe.
        if (Volatile.Read(ref _pciDevices) is { } devices)
        {
            return devices;
        }

        lock (_pciGate)
        {
            return _pciDevices ??= ReadPciDevices();
        }
    }

    /// <summary>The PCI functions of one vendor, optionally limited to display controllers and processing accelerators.</summary>
    /// <param name="vendorId">The PCI vendor id, for example 0x1002 for AMD.</param>
    /// <param name="acceleratorsOnly">Keep only display (0x03) and processing-accelerator (0x12) classes.</param>
    public IReadOnlyList<PciDevice> FindPciDevices(ushort vendorId, bool acceleratorsOnly = true) =>
        GetPciDevices()
            .Where(d => d.VendorId == vendorId && (!acceleratorsOnly || d.IsDisplayController || d.IsProcessingAccelerator))
            .ToArray();

    /// <summary>Reads an environment variable.</summary>
    /// <param name="name">The variable's name.</param>
    public string? GetEnvironmentVariable(string name) => _environment(name);

    /// <summary>
    /// Loads a native library by the normal loader search (LD_LIBRARY_PATH, then the system), for
    /// management libraries such as NVML. Free the handle with <see cref="NativeLibrary.Free(IntPtr)"/>.
    /// </summary>
    /// <param name="name">A library name such as <c>libnvidia-ml.so.1</c>.</param>
    /// <param name="handle">The loaded library, or zero.</param>
    public static bool TryLoadNativeLibrary(string name, out IntPtr handle) => NativeLibrary.TryLoad(name, out handle);

    private string ToMachinePath(string physicalPath) =>
        "/" + Path.GetRelativePath(Root, physicalPath).Replace('\\', '/');

    private PciDevice[] ReadPciDevices()
    {
        var devices = new List<PciDevice>();
        foreach (var dir in ListDirectories("/sys/bus/pci/devices"))
        {
            var vendor = ParseHex(ReadText(dir + "/vendor"));
            var device = ParseHex(ReadText(dir + "/device"));
            var cls = ParseHex(ReadText(dir + "/class"));
            if (vendor is null || device is null || cls is null)
            {
                continue;
            }

            devices.Add(new PciDevice(Path.GetFileName(dir), (ushort)vendor.Value, (ushort)device.Value, (uint)cls.Value, ReadDriverName(dir)));
        }

        return devices.ToArray();
    }

    private string? ReadDriverName(string deviceDir)
    {
        var link = MapPath(deviceDir + "/driver");
        try
        {
            var info = new DirectoryInfo(link);
            if (info.LinkTarget is { } target)
            {
                return Path.GetFileName(target.TrimEnd('/'));
            }

            // Fake roots may hold a plain file naming the driver instead of a symlink.
            return File.Exists(link) ? File.ReadAllText(link).Trim() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static ulong? ParseHex(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var s = text.Trim();
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            s = s[2..];
        }

        return ulong.TryParse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}
