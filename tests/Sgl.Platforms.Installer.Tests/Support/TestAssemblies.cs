using Microsoft.CodeAnalysis;
using Sgl.Platforms.Tests.Support;

namespace Sgl.Platforms.Installer.Tests.Support;

/// <summary>Compiles real plugin and library assemblies with Roslyn, so every package under test holds a real assembly.</summary>
internal static class TestAssemblies
{
    /// <summary>A platform plugin whose probe finds a device when <c>/dev/{name}0</c> exists in the system root.</summary>
    /// <param name="kind">The <c>PlatformEnum</c> member the metadata declares.</param>
    /// <param name="deviceName">A C# expression for the name of the device the probe reports.</param>
    public static byte[] Platform(string assemblyName, string name, string version = "1.0.0.0", IEnumerable<byte[]>? references = null, bool futureContract = false, string? useDependency = null, string kind = "Oot", string? deviceName = null, string? attributes = null) =>
        Compile(assemblyName, $$"""
            using System.Composition;
            using Sgl.Platforms;
            using Sgl.Platforms.Probing;

            namespace {{assemblyName}};

            [Export(typeof(global::Sgl.Platforms.Platform))]
            [PlatformMetadata("{{name}}", Kind = PlatformEnum.{{kind}}, Priority = 200, Vendor = "Test Vendor")]
            {{attributes}}
            public sealed class TestPlatform : global::Sgl.Platforms.Platform
            {
                public string Helper => {{(useDependency is null ? "\"\"" : $"global::{useDependency}.Tag.Value")}};
                protected override ProbeResult ProbeCore(ProbeContext context) =>
                    context.System.FindDeviceNodes("{{name}}*").Count > 0
                        ? ProbeResult.Available([new DeviceInfo(0, {{deviceName ?? $"\"{name} device\""}}) { MemoryBytes = 1024 }])
                        : ProbeResult.NotPresent("no /dev/{{name}}* node");
            }
            """, references ?? [], version, withContract: !futureContract, contractImage: futureContract ? PluginCompiler.FutureContractImage : null);

    /// <summary>A plain library (a plugin's dependency) with one public type <c>{name}.Tag</c> whose <c>Value</c> is <paramref name="value"/> (default: the assembly name).</summary>
    public static byte[] Library(string assemblyName, string version = "1.0.0.0", string? value = null) =>
        Compile(assemblyName, $"namespace {assemblyName}; public static class Tag {{ public static string Value => \"{value ?? assemblyName}\"; }}", [], version, withContract: false);

    /// <summary>Any source, compiled against the real contract and the given references.</summary>
    public static byte[] Custom(string assemblyName, string source, IEnumerable<byte[]>? references = null, string version = "1.0.0.0") =>
        Compile(assemblyName, source, references ?? [], version, withContract: true);

    /// <summary>An assembly that references the contract but exports no Platform.</summary>
    public static byte[] NotAPlugin(string assemblyName) =>
        Compile(assemblyName, $"namespace {assemblyName}; public static class Nothing {{ public static System.Type T => typeof(Sgl.Platforms.PlatformEnum); }}", [], "1.0.0.0", withContract: true);

    private static byte[] Compile(string assemblyName, string source, IEnumerable<byte[]> references, string version, bool withContract, byte[]? contractImage = null) =>
        PluginCompiler.CompileImage(
            assemblyName,
            source,
            version,
            references.Select(r => (MetadataReference)MetadataReference.CreateFromImage(r)),
            contractImage is not null ? ContractReference.From(MetadataReference.CreateFromImage(contractImage))
                : withContract ? ContractReference.Real
                : ContractReference.None);
}
