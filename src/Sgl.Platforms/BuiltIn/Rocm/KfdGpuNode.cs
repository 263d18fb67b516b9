using System.Globalization;

namespace Sgl.Platforms.BuiltIn.Rocm;

/// <summary>One GPU node of the KFD topology.</summary>
/// <param name="NodeId">The topology node number.</param>
/// <param name="Name">The node's <c>name</c> file, when present.</param>
/// <param name="Properties">The node's properties.</param>
/// <param name="FrameBufferBytes">Device memory from the node's frame-buffer memory banks, when reported.</param>
internal sealed record KfdGpuNode(int NodeId, string? Name, IReadOnlyDictionary<string, ulong> Properties, long? FrameBufferBytes)
{
    /// <summary>The gfx target, for example <c>gfx942</c> from gfx_target_version 90402, or null.</summary>
    public string? GfxTarget
    {
        get
        {
            var version = Properties.GetValueOrDefault("gfx_target_version");
            if (version == 0)
            {
                return null;
            }

            // major*10000 + minor*100 + stepping; minor and stepping print as hex digits (90010 is gfx90a).
            return string.Create(CultureInfo.InvariantCulture, $"gfx{version / 10000}{version / 100 % 100:x}{version % 100:x}");
        }
    }

    /// <summary>The PCI vendor id the driver reports.</summary>
    public ushort VendorId => (ushort)Properties.GetValueOrDefault("vendor_id");

    /// <summary>The PCI device id the driver reports.</summary>
    public ushort DeviceId => (ushort)Properties.GetValueOrDefault("device_id");

    /// <summary>The PCI address from <c>domain</c> and <c>location_id</c> (bus &lt;&lt; 8 | devfn), or null when unknown.</summary>
    public string? PciBusId
    {
        get
        {
            if (!Properties.TryGetValue("location_id", out var location) || location == 0)
            {
                return null;
            }

            var domain = Properties.GetValueOrDefault("domain");
            var bus = (location >> 8) & 0xff;
            var slot = (location >> 3) & 0x1f;
            var function = location & 0x7;
            return string.Create(CultureInfo.InvariantCulture, $"{domain:x4}:{bus:x2}:{slot:x2}.{function:x}");
        }
    }

    /// <summary>The device's unique id as ROCm tools print it (<c>GPU-</c> and 16 hex digits), or null.</summary>
    public string? Uuid =>
        Properties.GetValueOrDefault("unique_id") is var id and > 0
            ? string.Create(CultureInfo.InvariantCulture, $"GPU-{id:x16}")
            : null;
}
