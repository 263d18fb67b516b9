using System.Reflection;
using Sgl.Platforms.Tests.Support;

namespace Sgl.Platforms.Testing.Tests;

/// <summary>
/// A vendor plugin compiled into its own assembly, together with the one-class conformance suite a
/// vendor writes; each member below is the C# of one part, so a test breaks exactly one rule.
/// </summary>
internal sealed record VendorPlugin
{
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "sgl-conformance-" + Environment.ProcessId);

    public string Name { get; init; } = "acme";

    public string Attributes { get; init; } = """
        [Export(typeof(Platform))]
        [PlatformMetadata("{name}", Kind = PlatformEnum.Oot, Priority = 200, Vendor = "Acme")]
        """;

    public string Constructor { get; init; } = "";

    public string Probe { get; init; } = """
        context.System.FindPciDevices(0x1e0f).Count > 0 || context.System.FindDeviceNodes("acme*").Count > 0
            ? ProbeResult.Available([new DeviceInfo(0, "Acme accelerator") { MemoryBytes = 1L << 30 }], "PCI 0x1e0f")
            : ProbeResult.NotPresent("no PCI device of vendor 0x1e0f and no /dev/acme* node")
        """;

    public string ServerDefaults { get; init; } = """args.ChunkedPrefillSize ??= 256;""";

    public string DefaultAttentionBackend { get; init; } = "\"acme_attn\"";

    public string AttentionBackends { get; init; } = """
        new Dictionary<string, Func<AttentionBackendContext, IAttentionBackend>>
        {
            ["acme_attn"] = _ => throw new NotSupportedException("acme_attn needs the Acme kernels package."),
        }
        """;

    public string KvPool { get; init; } = "base.CreateKvPool(device, request)";

    /// <summary>More C# in the plugin's namespace (a second export, for example).</summary>
    public string Extra { get; init; } = "";

    public string ConfigureDevice { get; init; } = """root.WithPciDevice(0x1e0f, 0x0001, driver: "acme").WithDeviceNode("acme0");""";

    /// <summary>The package manifest props the suite checks, from the index the assembly declares; by default the right one.</summary>
    public Func<string, string> Manifest { get; init; } = index => $"<Project><ItemGroup><SglPlatformPlugin Include=\"{{assembly}}\"><Index>{index}</Index></SglPlatformPlugin></ItemGroup></Project>";

    /// <summary>Overrides added to the suite class.</summary>
    public string SuiteOverrides { get; init; } = "";

    /// <summary>Compiles the plugin and its suite into a new assembly and returns the suite type.</summary>
    public Type CompileSuite()
    {
        var assemblyName = "Vendor" + Guid.NewGuid().ToString("N")[..10];
        var manifest = Path.Combine(Folder, assemblyName + ".props");
        var source = $$"""
            global using System;
            global using System.Collections.Generic;
            global using System.Linq;
            global using System.Threading;
            using System.Composition;
            using Sgl.Platforms;
            using Sgl.Platforms.Devices;
            using Sgl.Platforms.Probing;
            using Sgl.Platforms.Serving;
            using Sgl.Platforms.Testing;

            namespace {{assemblyName}};

            {{Attributes.Replace("{name}", Name, StringComparison.Ordinal)}}
            public sealed class AcmePlatform : Platform
            {
                public AcmePlatform() { {{Constructor}} }
                protected override ProbeResult ProbeCore(ProbeContext context) => {{Probe}};
                public override string? DefaultAttentionBackend => {{DefaultAttentionBackend}};
                public override IReadOnlyDictionary<string, Func<AttentionBackendContext, IAttentionBackend>> GetAttentionBackends() => {{AttentionBackends}};
                protected override ServingHooks CreateServingHooks() => new AcmeServing(this);
            }

            public sealed class AcmeServing(Platform platform) : ServingHooks(platform)
            {
                public override void ApplyServerArgsDefaults(ServerArgs args) { base.ApplyServerArgsDefaults(args); {{ServerDefaults}} }
                public override IKvPool CreateKvPool(ComputeDevice device, KvPoolRequest request) => {{KvPool}};
            }

            {{Extra}}

            public sealed class Suite : PlatformConformanceTests<AcmePlatform>
            {
                protected override void ConfigureDevice(FakeSystemRoot root) { {{ConfigureDevice}} }
                protected override string? PackageManifestPath => @"{{manifest}}";
                {{SuiteOverrides}}
            }
            """;
        Directory.CreateDirectory(Folder);
        var path = PluginCompiler.Compile(Folder, assemblyName, source,
            extraReferences: [typeof(PlatformConformanceTests<>).Assembly.Location, typeof(FactAttribute).Assembly.Location]);
        File.WriteAllText(manifest, Manifest(HostRules.PackageIndex(path)).Replace("{assembly}", assemblyName, StringComparison.Ordinal));
        return Assembly.LoadFrom(path).GetType(assemblyName + ".Suite", throwOnError: true)!;
    }
}
