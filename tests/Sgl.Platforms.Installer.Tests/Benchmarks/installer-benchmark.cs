// Installer benchmarks (not tests).
// Default: whole-process `sgl platforms install` of a plugin with two dependencies from a local feed,
// whole-process `sgl platforms restore` of five locked plugins, and `ListInstalled()` (what a start checks
// of the installed plugins before loading them).
// per-mib: the start-up cost of verifying installed plugins, per MiB: whole `sgl platforms list --json`
// processes against homes holding one installed plugin whose dependency carries N MiB, as a native library
// (hashed and held open) or as a managed assembly with an N MiB embedded resource, each build and size
// interleaved round by round, reported as medians with the cost per MiB. Homes are installed with the
// first build given; each build then only reads them.
//   dotnet build src/Sgl.Cli -c Release
//   dotnet run tests/Sgl.Platforms.Installer.Tests/Benchmarks/installer-benchmark.cs -- src/Sgl.Cli/bin/Release/net10.0/sgl.dll 9
//   dotnet run tests/Sgl.Platforms.Installer.Tests/Benchmarks/installer-benchmark.cs -- per-mib 11 after=src/Sgl.Cli/bin/Release/net10.0/sgl.dll [before=/other/sgl.dll]
#:project ../../../src/Sgl.Platforms.Installer/Sgl.Platforms.Installer.csproj
#:package Microsoft.CodeAnalysis.CSharp
#:property PublishAot=false
#:property GenerateDocumentationFile=false

using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NuGet.Frameworks;
using NuGet.Packaging;
using NuGet.Packaging.Core;
using NuGet.Versioning;
using Sgl.Platforms.Installer;

var perMiB = args.FirstOrDefault() == "per-mib";
var root = Directory.CreateTempSubdirectory("sgl-installer-bench-").FullName;
var feed = Directory.CreateDirectory(Path.Combine(root, "feed")).FullName;
var work = Directory.CreateDirectory(Path.Combine(root, "work")).FullName;
var system = Directory.CreateDirectory(Path.Combine(root, "system")).FullName;
File.WriteAllText(Path.Combine(work, "NuGet.config"), $"""
    <?xml version="1.0" encoding="utf-8"?>
    <configuration><packageSources><clear /><add key="bench" value="{feed}" /></packageSources></configuration>
    """);

var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
    .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll")
    .Append(typeof(Sgl.Platforms.Platform).Assembly.Location)
    .Append(typeof(System.Composition.ExportAttribute).Assembly.Location)
    .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();

if (perMiB)
{
    CostPerMiB(int.Parse(args[1], CultureInfo.InvariantCulture), args.Skip(2).Select(a => a.Split('=', 2)).Select(p => (Label: p[0], Dll: Path.GetFullPath(p[1]))).ToList());
}
else
{
    await InstallerAsync(Path.GetFullPath(args.Length > 0 ? args[0] : "src/Sgl.Cli/bin/Release/net10.0/sgl.dll"), args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 9);
}

Directory.Delete(root, recursive: true);

async Task InstallerAsync(string sgl, int runs)
{
    AddLib("Bench.Dep.A", Compile("Bench.Dep.A", "namespace Bench.Dep.A; public static class Tag { public static string Value => \"A\"; }"), []);
    AddLib("Bench.Dep.B", Compile("Bench.Dep.B", "namespace Bench.Dep.B; public static class Tag { public static string Value => \"B\"; }"), []);
    for (var i = 0; i < 5; i++)
    {
        AddLib($"Sgl.Platform.Bench{i}", Compile($"Sgl.Platform.Bench{i}", $$"""
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
    var startup = Median(runs, _ => Time(() => Sgl(sgl, Path.Combine(root, "unused-home"), "platforms", "--help")));
    Console.WriteLine($"process start (sgl platforms --help), median: {startup:0} ms");

    var install = Median(runs, run => Time(() => Sgl(sgl, Path.Combine(root, $"install-{run}"), "platforms", "install", "Sgl.Platform.Bench0")));
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
        return Time(() => Sgl(sgl, home, "platforms", "restore"));
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
}

void CostPerMiB(int rounds, List<(string Label, string Dll)> builds)
{
    if (builds.Count == 0)
    {
        builds.Add(("after", Path.GetFullPath("src/Sgl.Cli/bin/Release/net10.0/sgl.dll")));
    }

    int[] sizes = [0, 16, 64, 256];
    string[] kinds = ["native", "assembly"];
    var homes = new Dictionary<(int Size, string Kind), string>();
    foreach (var kind in kinds)
    {
        foreach (var size in sizes)
        {
            if (size == 0 && kind != kinds[0])
            {
                homes[(size, kind)] = homes[(size, kinds[0])];
                continue;
            }

            var suffix = $"{kind}{size}";
            var payload = RandomNumberGenerator.GetBytes(size << 20);
            var (payloadPath, content) = kind == "native"
                ? ($"runtimes/{RuntimeInformation.RuntimeIdentifier}/native/libpayload{suffix}.so", payload)
                : ($"lib/net10.0/Payload{suffix}.dll", Compile($"Payload{suffix}", $"namespace Payload{suffix}; public static class Tag {{ }}", payload));
            AddPackage($"Bench.Payload.{suffix}", size == 0 ? [] : [(payloadPath, content)], []);
            AddPackage($"Sgl.Platform.Bench{suffix}", [($"lib/net10.0/Sgl.Platform.Bench{suffix}.dll", Plugin($"Sgl.Platform.Bench{suffix}"))], [($"Bench.Payload.{suffix}", "1.0.0")]);
            var home = Path.Combine(root, $"home-{suffix}");
            Sgl(builds[0].Dll, home, "platforms", "install", $"Sgl.Platform.Bench{suffix}");
            homes[(size, kind)] = home;
        }
    }

    var variants = builds.SelectMany(b => homes.Keys.Where(k => k.Size > 0 || k.Kind == kinds[0]).Select(k => (Build: b, Key: k))).ToList();
    var samples = variants.ToDictionary(v => v, _ => new List<double>());
    foreach (var variant in variants)
    {
        Sgl(variant.Build.Dll, homes[variant.Key], "platforms", "list", "--json"); // warm the page cache
    }

    for (var round = 0; round < rounds; round++)
    {
        // Rotate the order every round so no variant always runs first or after the same neighbour.
        foreach (var variant in variants.Skip(round % variants.Count).Concat(variants.Take(round % variants.Count)))
        {
            var watch = Stopwatch.StartNew();
            Sgl(variant.Build.Dll, homes[variant.Key], "platforms", "list", "--json");
            samples[variant].Add(watch.Elapsed.TotalMilliseconds);
        }
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rounds} interleaved rounds; medians in ms (min-max); load average at the end: {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
    Console.WriteLine("| build | payload | MiB | sgl platforms list --json | per MiB over the 0 MiB home |");
    Console.WriteLine("|---|---|---:|---:|---:|");
    foreach (var build in builds)
    {
        var baseline = MedianOf(samples[(build, (0, kinds[0]))]);
        foreach (var variant in variants.Where(v => v.Build == build))
        {
            var median = MedianOf(samples[variant]);
            var list = samples[variant];
            var perMiB = variant.Key.Size == 0 ? "" : ((median - baseline) / variant.Key.Size).ToString("0.00", CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {build.Label} | {(variant.Key.Size == 0 ? "none" : variant.Key.Kind)} | {variant.Key.Size} | {median:0.0} ({list.Min():0.0}-{list.Max():0.0}) | {perMiB} |"));
        }
    }
}

byte[] Plugin(string name) => Compile(name, $$"""
    using System.Composition;
    using Sgl.Platforms;
    using Sgl.Platforms.Probing;
    namespace Bench;
    [Export(typeof(Sgl.Platforms.Platform))]
    [PlatformMetadata("bench", Kind = PlatformEnum.Oot, Priority = 200, Vendor = "Bench")]
    public sealed class BenchPlatform : Sgl.Platforms.Platform
    {
        protected override ProbeResult ProbeCore(ProbeContext context) => ProbeResult.Available([new DeviceInfo(0, "bench")]);
    }
    """);

byte[] Compile(string name, string source, byte[]? resource = null)
{
    var compilation = CSharpCompilation.Create(name, [CSharpSyntaxTree.ParseText(source)], references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
    using var stream = new MemoryStream();
    var result = compilation.Emit(stream, manifestResources: resource is null ? null : [new ResourceDescription("payload.bin", () => new MemoryStream(resource), isPublic: true)]);
    return result.Success ? stream.ToArray() : throw new InvalidOperationException(string.Join("\n", result.Diagnostics));
}

void AddPackage(string id, (string Path, byte[] Content)[] files, (string Id, string Version)[] dependencies)
{
    var builder = new PackageBuilder { Id = id, Version = NuGetVersion.Parse("1.0.0"), Description = id };
    builder.Authors.Add("Bench");
    builder.DependencyGroups.Add(new PackageDependencyGroup(NuGetFramework.Parse("net10.0"), dependencies.Select(d => new PackageDependency(d.Id, VersionRange.Parse(d.Version)))));
    foreach (var (path, content) in files)
    {
        builder.Files.Add(new PhysicalPackageFile(new MemoryStream(content)) { TargetPath = path });
    }

    if (files.Length == 0)
    {
        builder.Files.Add(new PhysicalPackageFile(new MemoryStream([])) { TargetPath = "lib/net10.0/_._" });
    }

    using var file = File.Create(Path.Combine(feed, $"{id}.1.0.0.nupkg".ToLowerInvariant()));
    builder.Save(file);
}

void Sgl(string dll, string home, params string[] arguments)
{
    var start = new ProcessStartInfo("dotnet") { WorkingDirectory = work, RedirectStandardOutput = true, RedirectStandardError = true };
    start.ArgumentList.Add(dll);
    foreach (var argument in arguments)
    {
        start.ArgumentList.Add(argument);
    }

    start.Environment["SGL_PLATFORMS_HOME"] = home;
    start.Environment["SGL_SYSTEM_ROOT"] = system;
    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEndAsync();
    var error = process.StandardError.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0 || (arguments[1] == "list" && JsonDocument.Parse(output.Result).RootElement.GetProperty("selected").GetString() != "bench"))
    {
        throw new InvalidOperationException($"sgl {string.Join(' ', arguments)} exited {process.ExitCode}: {error}{output.Result}");
    }
}

static double MedianOf(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

void AddLib(string id, byte[] assembly, (string Id, string Version)[] dependencies) => AddPackage(id, [($"lib/net10.0/{id}.dll", assembly)], dependencies);

static double Time(Action action)
{
    var watch = Stopwatch.StartNew();
    action();
    return watch.Elapsed.TotalMilliseconds;
}

static double Median(int count, Func<int, double> measure) => MedianOf(Enumerable.Range(0, count).Select(measure).ToList());
