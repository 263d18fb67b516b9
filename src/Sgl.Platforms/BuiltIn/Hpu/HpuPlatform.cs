using System.Composition;
using Sgl.Platforms.ExtensionPoints;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.BuiltIn.Hpu;

/// <summary>The built-in hpu platform: Intel Gaudi accelerators through the Habana stack.</summary>
[Export(typeof(Platform))]
[PlatformMetadata("hpu", Kind = PlatformEnum.Hpu, Priority = 100, Vendor = "Intel Habana")]
public sealed class HpuPlatform : Platform
{
    /// <summary>The KV page size Gaudi wants (vLLM's HPU platform defaults block_size to 128; smaller pages run inefficiently).</summary>
    public const int DefaultPageSize = 128;

    /// <inheritdoc />
    public override string DeviceName => "hpu";

    /// <inheritdoc />
    public override string DeviceType => "hpu";

    /// <inheritdoc />
    public override PlatformEnum Kind => PlatformEnum.Hpu;

    /// <inheritdoc />
    public override string DistributedBackend => "hccl";

    /// <inheritdoc />
    /// <remarks>
    /// HABANA_VISIBLE_MODULES selects modules inside a process (Habana's scaling guide, vLLM's HPU platform);
    /// HABANA_VISIBLE_DEVICES is read by the Habana container runtime when a container starts.
    /// </remarks>
    public override string? DeviceVisibilityEnvironmentVariable => "HABANA_VISIBLE_MODULES";

    /// <inheritdoc />
    /// <remarks>Fills the distributed backend (hccl) and a page size of 128.</remarks>
    public override void ApplyServerArgsDefaults(ServerArgs args)
    {
        base.ApplyServerArgsDefaults(args);
        args.PageSize ??= DefaultPageSize;
    }

    /// <inheritdoc />
    protected override ProbeResult ProbeCore(ProbeContext context) => HpuProbe.Run(context);
}
