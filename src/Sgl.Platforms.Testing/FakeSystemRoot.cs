using System.Globalization;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.Testing;

/// <summary>
/// Builds a fake machine in a temporary directory for <c>SGL_SYSTEM_ROOT</c>: PCI functions in sysfs,
/// device nodes, KFD topology nodes, <c>/proc/cpuinfo</c> and <c>/proc/meminfo</c>. Deleted on dispose.
/// </summary>
public sealed class FakeSystemRoot : IDisposable
{
    private int _nextPciSlot;

    /// <summary>Creates an empty fake root in a new temporary directory.</summary>
    public FakeSystemRoot()
    {
        Root = Path.Combine(Path.GetTempPath(), "sgl-fake-root-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
    }

    /// <summary>The directory to use as <c>SGL_SYSTEM_ROOT</c>.</summary>
    public string Root { get; }

    /// <summary>A system view over this root.</summary>
    /// <param name="environment">Optional environment to show probes.</param>
    public SystemView View(IReadOnlyDictionary<string, string>? environment = null) =>
        new(Root, environment is null ? _ => null : name => environment.GetValueOrDefault(name));

    /// <summary>Adds a PCI function.</summary>
    /// <param name="vendorId">PCI vendor id.</param>
    /// <param name="deviceId">PCI device id.</param>
    /// <param name="classCode">24-bit class code (0x030200 3D controller, 0x120000 processing accelerator).</param>
    /// <param name="driver">Bound driver name, or null for none.</param>
    /// <param name="address">PCI address; generated when null.</param>
    /// <returns>This builder.</returns>
    public FakeSystemRoot WithPciDevice(ushort vendorId, ushort deviceId, uint classCode = 0x030200, string? driver = null, string? address = null)
    {
        address ??= string.Create(CultureInfo.InvariantCulture, $"0000:{0x10 + _nextPciSlot++:x2}:00.0");
        var dir = PathOf($"sys/devices/pci0000:00/{address}");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "vendor"), string.Create(CultureInfo.InvariantCulture, $"0x{vendorId:x4}\n"));
        File.WriteAllText(Path.Combine(dir, "device"), string.Create(CultureInfo.InvariantCulture, $"0x{deviceId:x4}\n"));
        File.WriteAllText(Path.Combine(dir, "class"), string.Create(CultureInfo.InvariantCulture, $"0x{classCode:x6}\n"));
        if (driver is not null)
        {
            var driverDir = PathOf($"sys/bus/pci/drivers/{driver}");
            Directory.CreateDirectory(driverDir);
            File.CreateSymbolicLink(Path.Combine(dir, "driver"), driverDir);
        }

        var busDir = PathOf("sys/bus/pci/devices");
        Directory.CreateDirectory(busDir);
        File.CreateSymbolicLink(Path.Combine(busDir, address), dir);
        return this;
    }

    /// <summary>Gives the machine a PCI bus in sysfs (an empty <c>/sys/bus/pci/devices</c>), so PCI match rules can fail rather than stay undecided.</summary>
    /// <returns>This builder.</returns>
    public FakeSystemRoot WithPciBus()
    {
        Directory.CreateDirectory(PathOf("sys/bus/pci/devices"));
        return this;
    }

    /// <summary>Marks a kernel module as loaded (<c>/sys/module/&lt;name&gt;</c>), as <c>lsmod</c> would list it.</summary>
    /// <param name="name">The module name, for example <c>mtgpu</c>.</param>
    /// <returns>This builder.</returns>
    public FakeSystemRoot WithKernelModule(string name)
    {
        Directory.CreateDirectory(PathOf("sys/module/" + name));
        return this;
    }

    /// <summary>Adds a device node such as <c>davinci0</c>, <c>dri/renderD128</c> or <c>kfd</c> under <c>/dev</c> (a plain file).</summary>
    /// <param name="relativePath">The path under <c>/dev</c>.</param>
    /// <returns>This builder.</returns>
    public FakeSystemRoot WithDeviceNode(string relativePath) => WithFile("dev/" + relativePath, "");

    /// <summary>Adds a KFD topology node with the given properties (for ROCm probes).</summary>
    /// <param name="nodeId">The node number.</param>
    /// <param name="properties">Key/value lines of the node's <c>properties</c> file.</param>
    /// <param name="name">The node's <c>name</c> file (for example <c>gfx942</c>), or null.</param>
    /// <returns>This builder.</returns>
    public FakeSystemRoot WithKfdNode(int nodeId, IReadOnlyDictionary<string, long> properties, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var dir = string.Create(CultureInfo.InvariantCulture, $"sys/class/kfd/kfd/topology/nodes/{nodeId}");
        WithFile(dir + "/properties", string.Concat(properties.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value}\n"))));
        if (name is not null)
        {
            WithFile(dir + "/name", name + "\n");
        }

        return this;
    }

    /// <summary>Writes <c>/proc/cpuinfo</c> describing <paramref name="cores"/> logical CPUs.</summary>
    /// <param name="modelName">The CPU model name.</param>
    /// <param name="cores">Logical CPUs.</param>
    /// <param name="flags">ISA feature flags (for example <c>avx2 avx512f</c>).</param>
    /// <returns>This builder.</returns>
    public FakeSystemRoot WithCpuInfo(string modelName, int cores, string flags = "fpu sse sse2 avx avx2")
    {
        var text = string.Concat(Enumerable.Range(0, cores).Select(i => string.Create(CultureInfo.InvariantCulture,
            $"processor\t: {i}\nvendor_id\t: GenuineIntel\nmodel name\t: {modelName}\nflags\t\t: {flags}\n\n")));
        return WithFile("proc/cpuinfo", text);
    }

    /// <summary>Writes <c>/proc/meminfo</c>.</summary>
    /// <param name="totalBytes">MemTotal.</param>
    /// <param name="availableBytes">MemAvailable.</param>
    /// <returns>This builder.</returns>
    public FakeSystemRoot WithMemInfo(long totalBytes, long availableBytes) =>
        WithFile("proc/meminfo", string.Create(CultureInfo.InvariantCulture,
            $"MemTotal:       {totalBytes / 1024} kB\nMemFree:        {availableBytes / 1024} kB\nMemAvailable:   {availableBytes / 1024} kB\n"));

    /// <summary>Writes any file under the root.</summary>
    /// <param name="relativePath">The path under the root, for example <c>sys/module/habanalabs/version</c>.</param>
    /// <param name="contents">The text.</param>
    /// <returns>This builder.</returns>
    public FakeSystemRoot WithFile(string relativePath, string contents)
    {
        var path = PathOf(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, contents);
        return this;
    }

    /// <summary>The physical path of <paramref name="relativePath"/> inside the fake root.</summary>
    /// <param name="relativePath">A path under the root.</param>
    public string PathOf(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        return Path.Combine(Root, relativePath.TrimStart('/'));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A test process still holding a file open must not fail the test that owns the root.
        }
    }
}
