using System.IO.Compression;
using NuGet.Frameworks;
using NuGet.Packaging;
using NuGet.Packaging.Core;
using NuGet.Versioning;

namespace Sgl.Platforms.Installer.Tests.Support;

/// <summary>A local folder feed of real .nupkg files built with NuGet's PackageBuilder.</summary>
internal sealed class TestFeed(string folder)
{
    public string Folder { get; } = Directory.CreateDirectory(folder).FullName;

    /// <summary>Builds <c>{id}.{version}.nupkg</c> with the given lib files and dependencies; returns its path.</summary>
    public string Add(string id, string version, IEnumerable<(string Path, byte[] Content)> files, IEnumerable<(string Id, string Range)>? dependencies = null)
    {
        var builder = new PackageBuilder { Id = id, Version = NuGetVersion.Parse(version), Description = $"Test package {id}." };
        builder.Authors.Add("Test Vendor");
        builder.DependencyGroups.Add(new PackageDependencyGroup(NuGetFramework.Parse("net10.0"),
            (dependencies ?? []).Select(d => new PackageDependency(d.Id, VersionRange.Parse(d.Range)))));
        foreach (var (path, content) in files)
        {
            builder.Files.Add(new PhysicalPackageFile(new MemoryStream(content)) { TargetPath = path });
        }

        var nupkg = Path.Combine(Folder, $"{id}.{version}.nupkg".ToLowerInvariant());
        using (var stream = File.Create(nupkg))
        {
            builder.Save(stream);
        }

        return nupkg;
    }

    /// <summary>A platform plugin package: <c>lib/net10.0/{id}.dll</c> exporting platform <paramref name="name"/>.</summary>
    public string AddPlugin(string id, string name, string version = "1.0.0", IEnumerable<(string Id, string Range)>? dependencies = null, bool futureContract = false, string? useDependency = null, IEnumerable<byte[]>? references = null, string kind = "Oot", string? attributes = null) =>
        Add(id, version, [($"lib/net10.0/{id}.dll", TestAssemblies.Platform(id, name, references: references, futureContract: futureContract, useDependency: useDependency, kind: kind, attributes: attributes))], dependencies);

    /// <summary>A library package: <c>lib/net10.0/{id}.dll</c>.</summary>
    public string AddLibrary(string id, string version = "1.0.0") =>
        Add(id, version, [($"lib/net10.0/{id}.dll", TestAssemblies.Library(id))]);

    /// <summary>Adds a raw zip entry to a built package, bypassing PackageBuilder's own checks (to build hostile packages).</summary>
    public static void AddRawEntry(string nupkg, string entryName, byte[] content)
    {
        using var zip = ZipFile.Open(nupkg, ZipArchiveMode.Update);
        using var stream = zip.CreateEntry(entryName).Open();
        stream.Write(content);
    }
}
