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

    /// <summary>Compiles <paramref name="source"/> into <c>{directory}/{assemblyName}.dll</c> against the real contract (or the contract file <paramref name="contract"/>).</summary>
    /// <param name="composition">System.Composition.AttributedModel to compile against, when not the host's (a plugin built against a newer one).</param>
    public static string Compile(string directory, string assemblyName, string source, string version = "1.0.0.0", IEnumerable<string>? extraReferences = null, string? contract = null, string? composition = null)
    {
        var path = Path.Combine(directory, assemblyName + ".dll");
        File.WriteAllBytes(path, CompileImage(
            assemblyName,
            source,
            version,
            (extraReferences ?? []).Select(r => (MetadataReference)MetadataReference.CreateFromFile(r)),
            contract is null ? ContractReference.Real : ContractReference.From(MetadataReference.CreateFromFile(contract)),
            composition is null ? null : MetadataReference.CreateFromFile(composition)));
        return path;
    }

    /// <summary>Compiles <paramref name="source"/> into an assembly image, deterministically.</summary>
    /// <param name="contract">Which contract to compile against; the real one by default.</param>
    /// <param name="composition">System.Composition.AttributedModel to compile against instead of the host's.</param>
    public static byte[] CompileImage(string assemblyName, string source, string version = "1.0.0.0", IEnumerable<MetadataReference>? extraReferences = null, ContractReference? contract = null, MetadataReference? composition = null)
    {
        var references = FrameworkReferences.Value
            .Where(r => composition is null || !string.Equals(Path.GetFileName(r.Display), "System.Composition.AttributedModel.dll", StringComparison.Ordinal))
            .ToList();
        if ((contract ?? ContractReference.Real).Reference is { } contractReference)
        {
            references.Add(contractReference);
        }

        references.Add(composition ?? MetadataReference.CreateFromFile(typeof(ExportAttribute).Assembly.Location));
        references.AddRange(extraReferences ?? []);
        SyntaxTree[] trees = [CSharpSyntaxTree.ParseText(source), CSharpSyntaxTree.ParseText($"[assembly: System.Reflection.AssemblyVersion(\"{version}\")]")];
        var compilation = CSharpCompilation.Create(assemblyName, trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true, deterministic: true));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        if (!result.Success)
        {
            throw new InvalidOperationException("Test assembly did not compile:\n" + string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        }

        return stream.ToArray();
    }

    /// <summary>The parts of the contract a plugin compiles against, as a future major version (2.0.0.0) would ship them.</summary>
    public static byte[] FutureContractImage => FutureContract.Value;

    private static readonly Lazy<byte[]> FutureContract = new(() =>
        CompileImage("Sgl.Platforms.Abstractions", FutureContractSource, "2.0.0.0", contract: ContractReference.None));

    /// <summary>The contribution parts of the contract as a newer minor version (1.2.0.0) would ship them.</summary>
    public static byte[] NewerMinorContractImage => NewerMinorContract.Value;

    private static readonly Lazy<byte[]> NewerMinorContract = new(() =>
        CompileImage("Sgl.Platforms.Abstractions", """
            namespace Sgl.Platforms { public enum PlatformEnum { Cuda, Rocm, Npu, Xpu, Hpu, Cpu, Oot } }
            namespace Sgl.Platforms.Contributions
            {
                [System.Composition.MetadataAttribute]
                public sealed class PlatformContributionAttribute : System.Attribute
                {
                    public PlatformContributionAttribute(string name) { Name = name; }
                    public string Name { get; }
                    public string? Extends { get; set; }
                    public Sgl.Platforms.PlatformEnum ExtendsKind { get; set; }
                    public int Priority { get; set; }
                }
                public abstract class AttentionBackendContribution { }
            }
            """, "1.2.0.0", contract: ContractReference.None));

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
                public string DeviceName => "";
                protected abstract Sgl.Platforms.Probing.ProbeResult ProbeCore(Sgl.Platforms.Probing.ProbeContext context);
            }
        }
        namespace Sgl.Platforms.Probing
        {
            public sealed class ProbeContext { public SystemView System => new SystemView(); }
            public sealed class SystemView { public System.Collections.Generic.IReadOnlyList<string> FindDeviceNodes(string p) => new string[0]; }
            public sealed class DeviceInfo { public DeviceInfo(int index, string name) { } public long? MemoryBytes { get; init; } }
            public sealed class ProbeResult
            {
                public static ProbeResult Available(System.Collections.Generic.IReadOnlyList<DeviceInfo> d) => new ProbeResult();
                public static ProbeResult NotPresent(string r) => new ProbeResult();
            }
        }
        """;

    /// <summary>
    /// Source of a vendor platform whose probe reports one device when <c>/dev/{node}</c> exists in the
    /// system root. <paramref name="probeBody"/> replaces the probe to inject faults.
    /// </summary>
    public static string PlatformSource(string name, int priority = 200, string kind = "Oot", string? probeBody = null, string? constructorBody = null, string className = "VendorPlatform", bool export = true, bool metadata = true, string? attributes = null, string? memberSource = null) => $$"""
        using System.Composition;
        using Sgl.Platforms;
        using Sgl.Platforms.Probing;

        namespace Vendor.{{className}}Ns;

        {{(export ? "[Export(typeof(Platform))]" : "")}}
        {{(metadata ? $"[PlatformMetadata(\"{name}\", Kind = PlatformEnum.{kind}, Priority = {priority}, Vendor = \"Test Vendor\")]" : "")}}
        {{attributes}}
        public sealed class {{className}} : Platform
        {
            public {{className}}() { {{constructorBody}} }
            {{memberSource}}
            protected override ProbeResult ProbeCore(ProbeContext context)
            {
                {{probeBody ?? $"return context.System.FindDeviceNodes(\"{name}*\").Count > 0 ? ProbeResult.Available([new DeviceInfo(0, \"{name} device\") {{ MemoryBytes = 1024 }}]) : ProbeResult.NotPresent(\"no /dev/{name}* node\");"}}
            }
        }
        """;

    /// <summary>
    /// Source of an attention backend contribution named <paramref name="name"/> extending platform <paramref name="extends"/>.
    /// Its backend runs attention through the device itself and counts the operations it served in
    /// <c>Vendor.ContributionNs.Served</c>; <paramref name="createBody"/> replaces <c>CreateBackend</c> to inject faults, and
    /// <paramref name="members"/> adds members (imports) to the part.
    /// </summary>
    public static string AttentionContributionSource(string name, string? extends = "cpu", int priority = 0, string? constructorBody = null, string? createBody = null, string className = "AcmeAttention", bool metadata = true, string? members = null, string? extendsKind = null) => $$"""
        using System.Composition;
        using Sgl.Platforms;
        using Sgl.Platforms.Contributions;
        using Sgl.Platforms.Devices;

        namespace Vendor.ContributionNs;

        public static class Served { public static int Count; public static string? Note; }

        [Export(typeof(AttentionBackendContribution))]
        {{(metadata ? $"[PlatformContribution(\"{name}\"{(extends is null ? "" : $", Extends = \"{extends}\"")}{(extendsKind is null ? "" : $", ExtendsKind = PlatformEnum.{extendsKind}")}, Priority = {priority}, Vendor = \"Test Vendor\")]" : "")}}
        public sealed class {{className}} : AttentionBackendContribution
        {
            {{members}}
            public {{className}}() { {{constructorBody}} }
            public override IAttentionBackend CreateBackend(AttentionBackendContext context)
            {
                {{createBody ?? $"return new {className}Backend(context.Device);"}}
            }
        }

        public sealed class {{className}}Backend(ComputeDevice device) : IAttentionBackend
        {
            public string Name => "{{name}}";
            public bool Supports(DeviceOperation operation) => operation is PagedAttentionOperation or AttentionOperation && device.Supports(operation);
            public void Execute(DeviceOperation operation) { System.Threading.Interlocked.Increment(ref Served.Count); device.Execute(operation); }
            public void Dispose() { }
        }
        """;
}

/// <summary>Which Sgl.Platforms.Abstractions a test assembly compiles against.</summary>
internal sealed class ContractReference
{
    private ContractReference(MetadataReference? reference) => Reference = reference;

    /// <summary>The contract this repository builds.</summary>
    public static ContractReference Real { get; } = new(MetadataReference.CreateFromFile(typeof(Platform).Assembly.Location));

    /// <summary>No contract at all (a plain library, or the future contract itself).</summary>
    public static ContractReference None { get; } = new(null);

    public MetadataReference? Reference { get; }

    public static ContractReference From(MetadataReference reference) => new(reference);
}
