using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Sgl.Platforms.Installer.Tests.Support;

/// <summary>Compiles real plugin and library assemblies with Roslyn, so every package under test holds a real assembly.</summary>
internal static class TestAssemblies
{
    private static readonly Lazy<MetadataReference[]> FrameworkReferences = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray());

    private static readonly Lazy<byte[]> FutureContract = new(() =>
        Compile("Sgl.Platforms.Abstractions", FutureContractSource, [], "2.0.0.0", withContract: false));

    /// <summary>A platform plugin whose probe finds a device when <c>/dev/{name}0</c> exists in the system root.</summary>
    public static byte[] Platform(string assemblyName, string name, string version = "1.0.0.0", IEnumerable<byte[]>? references = null, bool futureContract = false, string? useDependency = null) =>
        Compile(assemblyName, $$"""
            using System.Composition;
            using Sgl.Platforms;
            using Sgl.Platforms.Probing;

            namespace {{assemblyName}};

            [Export(typeof(global::Sgl.Platforms.Platform))]
            [PlatformMetadata("{{name}}", Kind = PlatformEnum.Oot, Priority = 200, Vendor = "Test Vendor")]
            public sealed class TestPlatform : global::Sgl.Platforms.Platform
            {
                public override string DeviceName => "{{name}}";
                public override string DeviceType => "{{name}}";
                public override PlatformEnum Kind => PlatformEnum.Oot;
                public string Helper => {{(useDependency is null ? "\"\"" : $"global::{useDependency}.Tag.Value")}};
                protected override ProbeResult ProbeCore(ProbeContext context) =>
                    context.System.FindDeviceNodes("{{name}}*").Count > 0
                        ? ProbeResult.Available([new DeviceInfo(0, "{{name}} device") { MemoryBytes = 1024 }])
                        : ProbeResult.NotPresent("no /dev/{{name}}* node");
            }
            """, references ?? [], version, withContract: !futureContract, contractImage: futureContract ? FutureContract.Value : null);

    /// <summary>A plain library (a plugin's dependency) with one public type <c>{name}.Tag</c>.</summary>
    public static byte[] Library(string assemblyName) =>
        Compile(assemblyName, $"namespace {assemblyName}; public static class Tag {{ public static string Value => \"{assemblyName}\"; }}", [], "1.0.0.0", withContract: false);

    /// <summary>An assembly that references the contract but exports no Platform.</summary>
    public static byte[] NotAPlugin(string assemblyName) =>
        Compile(assemblyName, $"namespace {assemblyName}; public static class Nothing {{ public static System.Type T => typeof(Sgl.Platforms.PlatformEnum); }}", [], "1.0.0.0", withContract: true);

    private static byte[] Compile(string assemblyName, string source, IEnumerable<byte[]> references, string version, bool withContract, byte[]? contractImage = null)
    {
        var refs = FrameworkReferences.Value.ToList();
        if (withContract)
        {
            refs.Add(MetadataReference.CreateFromFile(typeof(Platform).Assembly.Location));
        }

        if (contractImage is not null)
        {
            refs.Add(MetadataReference.CreateFromImage(contractImage));
        }

        refs.Add(MetadataReference.CreateFromFile(typeof(ExportAttribute).Assembly.Location));
        refs.AddRange(references.Select(r => MetadataReference.CreateFromImage(r)));
        SyntaxTree[] trees = [CSharpSyntaxTree.ParseText(source), CSharpSyntaxTree.ParseText($"[assembly: System.Reflection.AssemblyVersion(\"{version}\")]")];
        var compilation = CSharpCompilation.Create(assemblyName, trees, refs,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, deterministic: true));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        if (!result.Success)
        {
            throw new InvalidOperationException("Test assembly did not compile:\n" + string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        }

        return stream.ToArray();
    }

    private const string FutureContractSource = """
        namespace Sgl.Platforms
        {
            public enum PlatformEnum { Cuda, Rocm, Npu, Xpu, Hpu, Cpu, Oot }
            [System.Composition.MetadataAttribute]
            public sealed class PlatformMetadataAttribute : System.Attribute
            {
                public PlatformMetadataAttribute(string name) { Name = name; }
                public string Name { get; }
                public PlatformEnum Kind { get; set; }
                public int Priority { get; set; }
                public string Vendor { get; set; } = "";
            }
            public abstract class Platform
            {
                public abstract string DeviceName { get; }
                public abstract string DeviceType { get; }
                public abstract PlatformEnum Kind { get; }
                protected abstract Sgl.Platforms.Probing.ProbeResult ProbeCore(Sgl.Platforms.Probing.ProbeContext context);
            }
        }
        namespace Sgl.Platforms.Probing
        {
            public sealed class DeviceInfo { public DeviceInfo(int index, string name) { } public long MemoryBytes { get; set; } }
            public sealed class SystemView { public System.Collections.Generic.IReadOnlyList<string> FindDeviceNodes(string p) => new string[0]; }
            public sealed class ProbeContext { public SystemView System => new SystemView(); }
            public sealed class ProbeResult
            {
                public static ProbeResult Available(System.Collections.Generic.IReadOnlyList<DeviceInfo> d) => new ProbeResult();
                public static ProbeResult NotPresent(string r) => new ProbeResult();
            }
        }
        """;
}
