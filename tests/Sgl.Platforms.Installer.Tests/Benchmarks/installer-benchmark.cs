// Installer benchmarks (not tests): whole-process `sgl platforms install` of a plugin with two
// dependencies from a local feed, whole-process `sgl platforms restore` of five locked plugins, and
// the cost of verifying installed plugins against platforms.lock.json (the host's startup check).
//   dotnet build src/Sgl.Cli -c Release
//   dotnet run tests/Sgl.Platforms.Installer.Tests/Benchmarks/installer-benchmark.cs -- src/Sgl.Cli/bin/Release/net10.0/sgl.dll 9
#:project ../../../src/Sgl.Platforms.Installer/Sgl.Platforms.Installer.csproj
#:package Microsoft.CodeAnalysis.CSharp
#:property PublishAot=false
#:property GenerateDocumentationFile=false

using System.Diagnostics;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NuGet.Frameworks;
using NuGet.Packaging;
using NuGet.Packaging.Core;
using NuGet.Versioning;
using Sgl.Platforms.Installer;

var sgl = Path.GetFullPath(args.Length > 0 ? args[0] : "src/Sgl.Cli/bin/Release/net10.0/sgl.dll");
var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 9;
var root = Directory.CreateTempSubdirectory("sgl-installer-bench-").FullName;
var feed = Directory.CreateDirectory(Path.Combine(root, "feed")).FullName;
var work = Directory.CreateDirectory(Path.Combine(root, "work")).FullName;
File.WriteAllText(Path.Combine(work, "NuGet.config"), $"""
    <?xml version="1.0" encoding="utf-8"?>
    <configuration><packageSources><clear /><add key="bench" value="{feed}" /></packageSources></configuration>
    """);

var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
    .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll")
    .Append(typeof(Sgl.Platforms.Platform).Assembly.Location)
    .Append(typeof(System.Composition.ExportAttribute).Assembly.Location)
    .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();

AddPackage("Bench.Dep.A", Compile("Bench.Dep.A", "namespace Bench.Dep.A; public static class Tag { public static string Value => \"A\"; }"), []);
AddPackage("Bench.Dep.B", Compile("Bench.Dep.B", "namespace Bench.Dep.B; public static class Tag { public static string Value => \"B\"; }"), []);
for (var i = 0; i < 5; i++)
{
    AddPackage($"Sgl.Platform.Bench{i}", Compile($"Sgl.Platform.Bench{i}", $$"""
        using System.Composition;
        using Sgl.Platforms;
        using Sgl.Platforms.Probing;
        namespace Bench{{i}};
        [Export(typeof(Sgl.Platforms.Platform))]
        [PlatformMetadata("bench{{i}}", Kind = PlatformEnum.Oot, Priority = 200, Vendor = "Bench")]
        public sealed class BenchPlatform : Sgl.Platforms.Platform
        {
            protected override ProbeResult ProbeCore(ProbeContext context) => ProbeResult.NotPresent("benchmark");
        }
        """), i == 0 ? [("Bench.Dep.A", "1.0.0"), ("Bench.Dep.B", "1.0.0")] : []);
}

Console.WriteLine($"sgl: {sgl}; {runs} runs each; feed: {feed}");
var startup = Median(runs, _ => Time(() => Sgl(Path.Combine(root, "unused-home"), "platforms", "--help")));
Console.WriteLine($"process start (sgl platforms --help), median: {startup:0} ms");

var install = Median(runs, run => Time(() => Sgl(Path.Combine(root, $"install-{run}"), "platforms", "install", "Sgl.Platform.Bench0")));
Console.WriteLine($"install of a plugin with two dependencies (whole process), median: {install:0} ms");

var pinnedHome = Path.Combine(root, "pinned");
var installer = new PluginInstaller(new PluginInstallerOptions { PlatformsHome = pinnedHome, WorkingDirectory = work });
for (var i = 0; i < 5; i++)
{
    await installer.InstallAsync(new PluginInstallRequest($"Sgl.Platform.Bench{i}"));
}

var restore = Median(runs, run =>
{
    var home = Directory.CreateDirectory(Path.Combine(root, $"restore-{run}")).FullName;
    File.Copy(Path.Combine(pinnedHome, "platforms.lock.json"), Path.Combine(home, "platforms.lock.json"));
    return Time(() => Sgl(home, "platforms", "restore"));
});
Console.WriteLine($"restore of five locked plugins (whole process), median: {restore:0} ms");

// ListInstalled runs what a start runs for every installed plugin (ownership, lock file and hash checks, then metadata and validation).
for (var i = 0; i < 50; i++)
{
    installer.ListInstalled();
}

var files = installer.ListInstalled().Sum(p => Directory.GetFiles(p.Directory).Length);
var verify = Median(201, run => Time(() => _ = installer.ListInstalled()));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"lock verification, 5 plugins ({files} files): median {verify:0.000} ms, {verify / 5:0.000} ms per plugin"));
Directory.Delete(root, recursive: true);

byte[] Compile(string name, string source)
{
    var compilation = CSharpCompilation.Create(name, [CSharpSyntaxTree.ParseText(source)], references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
    using var stream = new MemoryStream();
    var result = compilation.Emit(stream);
    return result.Success ? stream.ToArray() : throw new InvalidOperationException(string.Join("\n", result.Diagnostics));
}

void AddPackage(string id, byte[] assembly, (string Id, string Version)[] dependencies)
{
    var builder = new PackageBuilder { Id = id, Version = NuGetVersion.Parse("1.0.0"), Description = id };
    builder.Authors.Add("Bench");
    builder.DependencyGroups.Add(new PackageDependencyGroup(NuGetFramework.Parse("net10.0"), dependencies.Select(d => new PackageDependency(d.Id, VersionRange.Parse(d.Version)))));
    builder.Files.Add(new PhysicalPackageFile(new MemoryStream(assembly)) { TargetPath = $"lib/net10.0/{id}.dll" });
    using var file = File.Create(Path.Combine(feed, $"{id}.1.0.0.nupkg".ToLowerInvariant()));
    builder.Save(file);
}

void Sgl(string home, params string[] arguments)
{
    var start = new ProcessStartInfo("dotnet") { WorkingDirectory = work, RedirectStandardOutput = true, RedirectStandardError = true };
    start.ArgumentList.Add(sgl);
    foreach (var argument in arguments)
    {
        start.ArgumentList.Add(argument);
    }

    start.Environment["SGL_PLATFORMS_HOME"] = home;
    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEndAsync();
    var error = process.StandardError.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"sgl {string.Join(' ', arguments)} exited {process.ExitCode}: {error}{output.Result}");
    }
}

static double Time(Action action)
{
    var watch = Stopwatch.StartNew();
    action();
    return watch.Elapsed.TotalMilliseconds;
}

static double Median(int count, Func<int, double> measure)
{
    var samples = Enumerable.Range(0, count).Select(measure).Order().ToList();
    return samples[samples.Count / 2];
}
