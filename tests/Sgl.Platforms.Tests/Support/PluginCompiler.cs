using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Sgl.Platforms.Tests.Support;

/// <summary>Compiles small plugin assemblies for tests, so every plugin fault is a real assembly on disk.</summary>
internal static class PluginCompiler
{
    private static readonly Lazy<MetadataReference[]> FrameworkReferences = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray());

    /// <summary>The directory a test's plugins go to; unique per call.</summary>
    public static string NewDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "sgl-plugins-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Compiles <paramref name="source"/> into <c>{directory}/{assemblyName}.dll</c> against the real contract (or <paramref name="contract"/>).</summary>
    public static string Compile(string directory, string assemblyName, string source, string version = "1.0.0.0", IEnumerable<string>? extraReferences = null, string? contract = null)
    {
        var references = FrameworkReferences.Value.ToList();
        references.Add(MetadataReference.CreateFromFile(contract ?? typeof(Platform).Assembly.Location));
        references.Add(MetadataReference.CreateFromFile(typeof(ExportAttribute).Assembly.Location));
        references.AddRange((extraReferences ?? []).Select(r => MetadataReference.CreateFromFile(r)));
        SyntaxTree[] trees = [CSharpSyntaxTree.ParseText(source), CSharpSyntaxTree.ParseText($"[assembly: System.Reflection.AssemblyVersion(\"{version}\")]")];
        var compilation = CSharpCompilation.Create(assemblyName, trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var path = Path.Combine(directory, assemblyName + ".dll");
        var result = compilation.Emit(path);
        if (!result.Success)
        {
            throw new InvalidOperationException("Test plugin did not compile:\n" + string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        }

        return path;
    }

    /// <summary>
    /// Source of a vendor platform whose probe reports one device when <c>/dev/{node}</c> exists in the
    /// system root. <paramref name="probeBody"/> replaces the probe to inject faults.
    /// </summary>
    public static string PlatformSource(string name, int priority = 200, string kind = "Oot", string? probeBody = null, string? constructorBody = null, string className = "VendorPlatform", bool export = true, bool metadata = true) => $$"""
        using System.Composition;
        using Sgl.Platforms;
        using Sgl.Platforms.Probing;

        namespace Vendor.{{className}}Ns;

        {{(export ? "[Export(typeof(Platform))]" : "")}}
        {{(metadata ? $"[PlatformMetadata(\"{name}\", Kind = PlatformEnum.{kind}, Priority = {priority}, Vendor = \"Test Vendor\")]" : "")}}
        public sealed class {{className}} : Platform
        {
            public {{className}}() { {{constructorBody}} }
            public override string DeviceName => "{{name}}";
            public override string DeviceType => "{{name}}";
            public override PlatformEnum Kind => PlatformEnum.{{kind}};
            protected override ProbeResult ProbeCore(ProbeContext context)
            {
                {{probeBody ?? $"return context.System.FindDeviceNodes(\"{name}*\").Count > 0 ? ProbeResult.Available([new DeviceInfo(0, \"{name} device\") {{ MemoryBytes = 1024 }}]) : ProbeResult.NotPresent(\"no /dev/{name}* node\");"}}
            }
        }
        """;
}
