using System.Composition;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.Hosting.Tests.ProcessWide;

/// <summary>
/// A vendor-style platform this test assembly exports, so tests can run real selection by naming the
/// assembly in <c>Sgl:Platforms:PluginPath</c>: it is always available with one device.
/// </summary>
[Export(typeof(Platform))]
[PlatformMetadata(Name, Kind = PlatformEnum.Oot, Vendor = "Sgl hosting tests")]
public sealed class HostingTestPlatform : Platform
{
    public const string Name = "hosting-test";

    protected override ProbeResult ProbeCore(ProbeContext context) => ProbeResult.Available([new DeviceInfo(0, "hosting test device")]);
}
