using System.Composition;
using Sgl.Platform.Musa.Mtml;
using Sgl.Platforms;
using Sgl.Platforms.ExtensionPoints;
using Sgl.Platforms.Probing;

namespace Sgl.Platform.Musa;

/// <summary>
/// Moore Threads MUSA. Selected on machines with a Moore Threads GPU and its <c>mtgpu</c> driver;
/// outranks the built-in accelerators (priority 200) as every vendor plugin does by default.
/// </summary>
[Export(typeof(Platforms.Platform))]
[PlatformMetadata("musa", Kind = PlatformEnum.Oot, Priority = 200, Vendor = "Moore Threads")]
public sealed class MusaPlatform : Platforms.Platform
{
    /// <summary>The attention backend the serving runtime uses unless the user picks one.</summary>
    public const string DefaultAttentionBackend = "triton";

    private static readonly string[] AttentionBackendNames = [DefaultAttentionBackend, "torch_native"];

    private readonly MusaProbe _probe;

    /// <summary>Creates the platform; cheap, touches no hardware (the host may build it only to probe it).</summary>
    public MusaPlatform()
        : this(MtmlLibrary.DefaultLibraryName)
    {
    }

    /// <summary>Creates the platform with MTML loaded from <paramref name="mtmlLibraryPath"/> (tests pass a shim's full path).</summary>
    /// <param name="mtmlLibraryPath">A file name for the loader search, or a full path.</param>
    internal MusaPlatform(string mtmlLibraryPath)
    {
        _probe = new MusaProbe(mtmlLibraryPath);
    }

    /// <inheritdoc />
    public override string DeviceName => "musa";

    /// <inheritdoc />
    public override string DeviceType => "musa";

    /// <inheritdoc />
    public override PlatformEnum Kind => PlatformEnum.Oot;

    /// <inheritdoc />
    /// <remarks>MCCL is MUSA's collective communication library.</remarks>
    public override string DistributedBackend => "mccl";

    /// <inheritdoc />
    public override string? DeviceVisibilityEnvironmentVariable => "MUSA_VISIBLE_DEVICES";

    /// <inheritdoc />
    protected override ProbeResult ProbeCore(ProbeContext context) => _probe.Probe(context);

    /// <inheritdoc />
    /// <remarks>
    /// Fills only what the user left unset: the <c>triton</c> attention backend, <c>mccl</c>, and graph
    /// capture off because this package has no MUSA graph runner (<see cref="Platforms.Platform.GetGraphRunnerType"/> is null).
    /// </remarks>
    public override void ApplyServerArgsDefaults(ServerArgs args)
    {
        base.ApplyServerArgsDefaults(args);
        args.AttentionBackend ??= DefaultAttentionBackend;
        args.DisableCudaGraph ??= true;
    }

    /// <inheritdoc />
    /// <remarks>
    /// The names are those a MUSA build of the serving stack offers. This package ships no MUSA kernels,
    /// so creating a backend throws <see cref="NotSupportedException"/> that says so rather than falling
    /// back to the CPU unnoticed.
    /// </remarks>
    public override IReadOnlyDictionary<string, Func<AttentionBackendContext, IAttentionBackend>> GetAttentionBackends() =>
        AttentionBackendNames.ToDictionary(
            name => name,
            name => new Func<AttentionBackendContext, IAttentionBackend>(_ => throw new NotSupportedException(
                $"The musa attention backend '{name}' needs MUSA kernels, which Sgl.Platform.Musa does not ship. Run on another platform (SGL_PLATFORM=cpu) or add a package that provides MUSA attention kernels.")),
            StringComparer.Ordinal);
}
