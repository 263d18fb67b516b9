using System.IO.Compression;
using NuGet.Frameworks;
using NuGet.Packaging;
using NuGet.Packaging.Core;
using NuGet.Protocol.Core.Types;
using Sgl.Platforms.Discovery;

namespace Sgl.Platforms.Installer;

/// <summary>A plugin fully prepared in a staging folder: downloaded, hash-pinned, signature-checked, extracted and inspected.</summary>
/// <param name="Directory">The staged plugin folder, ready to move into the home.</param>
/// <param name="Entry">Its lock file entry.</param>
internal sealed record StagedPlugin(string Directory, LockedPlugin Entry);

/// <summary>
/// Prepares a plugin in a staging folder under the home: downloads the packages (within
/// <see cref="PackageLimits"/>), applies the signature policy, checks each package's expansion, extracts
/// the lib folder nearest to the host's framework and the native assets for this machine's runtime
/// (refusing any entry that would escape), checks that every assembly reference is satisfied, and judges
/// the plugin with the host's own rules without loading it.
/// </summary>
internal sealed class PluginStager(FeedConfiguration feeds, SourceCacheContext cache, PackageLimits limits, string home)
{
    /// <summary>Stages <paramref name="packages"/> (the plugin first, then its dependencies).</summary>
    /// <param name="staging">An empty folder owned by this operation.</param>
    /// <param name="packages">The plugin package followed by its dependencies.</param>
    /// <param name="pinned">For restore: the lock entry the result must match exactly; null for a new install.</param>
    /// <param name="otherInstalled">For install: the other installed plugins, whose platform names this one must not take.</param>
    /// <param name="progress">Download progress.</param>
    /// <param name="token">Cancels the operation.</param>
    public async Task<StagedPlugin> StageAsync(string staging, IReadOnlyList<ResolvedPackage> packages, LockedPlugin? pinned, IEnumerable<LockedPlugin> otherInstalled,
        IProgress<PackageDownloadProgress>? progress, CancellationToken token)
    {
        var downloads = Path.Combine(staging, "packages");
        var plugin = Path.Combine(staging, "plugin");
        Directory.CreateDirectory(downloads);
        Directory.CreateDirectory(plugin);

        var hashes = await Task.WhenAll(packages.Select(p => PackageDownload.RunAsync(p, Path.Combine(downloads, PackageDownload.FileNameOf(p.Identity)), cache, limits, home, progress, token)));
        if (pinned is not null)
        {
            CheckPinnedHashes(packages, hashes, pinned);
        }

        var extracted = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase); // relative path -> package that brought it
        var budget = new ExtractionBudget(limits);
        var rootFiles = new List<string>();
        NuGetFramework? rootFramework = null;
        for (var i = 0; i < packages.Count; i++)
        {
            var package = packages[i];
            var nupkg = Path.Combine(downloads, PackageDownload.FileNameOf(package.Identity));
            using var reader = OpenPackage(nupkg, package);
            var identity = await reader.GetIdentityAsync(token);
            if (!identity.Equals(package.Identity))
            {
                throw new PluginInstallException(PluginInstallError.UnsafePackage,
                    $"'{package.Source.PackageSource.Name}' served {identity} when asked for {package.Identity}. The feed is misconfigured or compromised; nothing was installed.");
            }

            await SignaturePolicy.VerifyAsync(reader, package.Identity, package.Source.PackageSource.Source, feeds.Policy, token);
            RefuseEscapingEntries(reader, package.Identity);
            PackageExpansionCheck.Run(nupkg, package.Identity, limits);
            using var zip = ZipFile.OpenRead(nupkg);
            var (framework, files) = await ExtractLibAsync(reader, zip, package.Identity, plugin, extracted, budget, token);
            await ExtractNativeAsync(reader, zip, package.Identity, plugin, extracted, budget, token);
            if (i == 0)
            {
                rootFramework = framework;
                rootFiles = files;
            }
        }

        var root = packages[0];
        if (rootFramework is null)
        {
            throw new PluginInstallException(PluginInstallError.NotAPlatformPlugin,
                $"{root.Identity} has no lib folder usable on {PackageResolution.HostFramework.GetShortFolderName()}, so it holds no plugin this host can load. Install a version of the package built for .NET 10 (or netstandard).");
        }

        var (assemblies, platforms, index) = InspectPlugin(plugin, rootFiles, root.Identity);
        AssemblyReferenceCheck.Run(plugin, extracted.Keys, root.Identity);
        if (pinned is null)
        {
            PluginAdmission.Check(plugin, assemblies, root.Identity, otherInstalled);
        }

        var entry = new LockedPlugin
        {
            Id = root.Identity.Id,
            Version = root.Identity.Version.ToNormalizedString(),
            Source = root.Source.PackageSource.Source,
            Sha512 = hashes[0],
            Framework = rootFramework.GetShortFolderName(),
            Platforms = platforms,
            Assemblies = assemblies,
            Index = index,
            Dependencies = packages.Skip(1).Select((p, i) => new LockedPackage
            {
                Id = p.Identity.Id,
                Version = p.Identity.Version.ToNormalizedString(),
                Source = p.Source.PackageSource.Source,
                Sha512 = hashes[i + 1],
            }).ToList(),
            Files = extracted.Keys.Order(StringComparer.Ordinal)
                .Select(f => new LockedFile { Path = f, Sha512 = VerifiedPlugin.Sha512Of(Path.Combine(plugin, f)) }).ToList(),
        };

        if (pinned is not null)
        {
            CheckPinnedFiles(entry, pinned);
        }

        HomeFolder.RestrictPermissions(plugin);
        return new StagedPlugin(plugin, entry);
    }

    private static PackageArchiveReader OpenPackage(string nupkg, ResolvedPackage package)
    {
        try
        {
            return new PackageArchiveReader(nupkg);
        }
        catch (InvalidDataException e)
        {
            throw new PluginInstallException(PluginInstallError.UnsafePackage,
                $"{package.Identity} from '{package.Source.PackageSource.Name}' is not a readable package ({e.Message}). The feed serves a damaged file; nothing was installed. Report it to the feed's owner.", e);
        }
    }

    private static void CheckPinnedHashes(IReadOnlyList<ResolvedPackage> packages, string[] hashes, LockedPlugin pinned)
    {
        var expected = new[] { (pinned.Id, pinned.Version, pinned.Sha512) }
            .Concat(pinned.Dependencies.Select(d => (d.Id, d.Version, d.Sha512)))
            .ToDictionary(p => $"{p.Item1}/{p.Item2}".ToLowerInvariant(), p => p.Item3);
        for (var i = 0; i < packages.Count; i++)
        {
            var key = $"{packages[i].Identity.Id}/{packages[i].Identity.Version.ToNormalizedString()}".ToLowerInvariant();
            if (!string.Equals(expected[key], hashes[i], StringComparison.Ordinal))
            {
                throw new PluginInstallException(PluginInstallError.HashMismatch,
                    $"{packages[i].Identity} from '{packages[i].Source.PackageSource.Name}' has SHA-512 {hashes[i]}, but platforms.lock.json pins {expected[key]}: the feed serves different content under the same version. " +
                    $"Nothing was changed. Find out why the package changed; if the new content is trusted, run 'sgl platforms install {pinned.Id} --version {pinned.Version}' to pin it anew.");
            }
        }
    }

    private static void CheckPinnedFiles(LockedPlugin staged, LockedPlugin pinned)
    {
        var want = pinned.Files.Select(f => (f.Path, f.Sha512)).ToHashSet();
        if (!want.SetEquals(staged.Files.Select(f => (f.Path, f.Sha512))) || !staged.Assemblies.SequenceEqual(pinned.Assemblies))
        {
            throw new PluginInstallException(PluginInstallError.HashMismatch,
                $"{pinned.Id} {pinned.Version} extracts to files that differ from those platforms.lock.json pins (it was installed by a host of another framework, runtime or version). " +
                $"Run 'sgl platforms install {pinned.Id} --version {pinned.Version}' on this host to pin it anew.");
        }
    }

    private static void RefuseEscapingEntries(PackageArchiveReader reader, PackageIdentity package)
    {
        foreach (var entry in reader.GetFiles())
        {
            if (!PlatformsLockCheck.IsSafeRelativePath(entry.Replace('\\', '/')) || entry.Contains('\\', StringComparison.Ordinal))
            {
                throw new PluginInstallException(PluginInstallError.UnsafePackage,
                    $"{package} contains the entry '{entry}', which would be written outside the plugin folder. The package is malformed or malicious; nothing was installed. Report it to its publisher.");
            }
        }
    }

    private static async Task<(NuGetFramework? Framework, List<string> Files)> ExtractLibAsync(
        PackageArchiveReader reader, ZipArchive zip, PackageIdentity package, string plugin, Dictionary<string, string> extracted, ExtractionBudget budget, CancellationToken token)
    {
        var groups = reader.GetLibItems().ToList();
        var nearest = new FrameworkReducer().GetNearest(PackageResolution.HostFramework, groups.Select(g => g.TargetFramework));
        if (nearest is null)
        {
            if (groups.Count > 0)
            {
                throw new PluginInstallException(PluginInstallError.NotAPlatformPlugin,
                    $"{package} has lib folders only for {string.Join(", ", groups.Select(g => g.TargetFramework.GetShortFolderName()))}, none usable on {PackageResolution.HostFramework.GetShortFolderName()}. Use a version built for .NET 10 or netstandard.");
            }

            return (null, []);
        }

        var files = new List<string>();
        foreach (var group in groups.Where(g => g.TargetFramework.Equals(nearest)))
        {
            foreach (var item in group.Items)
            {
                var relative = RelativeToLibFolder(item);
                if (relative.EndsWith('/') || HostProvidedPackages.ContainsAssemblyFile(relative) || relative.EndsWith("/_._", StringComparison.Ordinal) || relative == "_._")
                {
                    continue;
                }

                await ExtractAsync(zip, item, relative, package, plugin, extracted, budget, token);
                files.Add(relative);
            }
        }

        return (nearest, files);
    }

    /// <summary>Extracts <c>runtimes/&lt;rid&gt;/native/</c> for the most specific runtime identifier of this machine the package has.</summary>
    private static async Task ExtractNativeAsync(PackageArchiveReader reader, ZipArchive zip, PackageIdentity package, string plugin, Dictionary<string, string> extracted, ExtractionBudget budget, CancellationToken token)
    {
        var natives = reader.GetFiles("runtimes").Select(f => f.Replace('\\', '/'))
            .Where(f => f.Split('/') is [_, _, "native", _, ..] && !f.EndsWith('/'))
            .ToLookup(f => f.Split('/')[1], StringComparer.OrdinalIgnoreCase);
        var rid = RuntimeIdentifierFallbacks.Current.FirstOrDefault(r => natives[r].Any());
        foreach (var item in rid is null ? [] : natives[rid])
        {
            await ExtractAsync(zip, item, item, package, plugin, extracted, budget, token);
        }
    }

    private static async Task ExtractAsync(ZipArchive zip, string item, string relative, PackageIdentity package, string plugin, Dictionary<string, string> extracted, ExtractionBudget budget, CancellationToken token)
    {
        if (extracted.TryGetValue(relative, out var owner))
        {
            throw new PluginInstallException(PluginInstallError.UnsafePackage,
                $"{package} and {owner} both ship '{relative}'; one plugin folder cannot hold both. Ask the vendor to fix the plugin's dependencies.");
        }

        var target = Path.GetFullPath(Path.Combine(plugin, relative));
        if (!target.StartsWith(Path.GetFullPath(plugin) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new PluginInstallException(PluginInstallError.UnsafePackage,
                $"{package} contains the entry '{item}', which would be written outside the plugin folder. The package is malformed or malicious; nothing was installed.");
        }

        var entry = zip.GetEntry(item) ?? throw new PluginInstallException(PluginInstallError.UnsafePackage,
            $"{package} lists '{item}' but its archive has no such entry. The package is malformed; nothing was installed.");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        await using (var source = entry.Open())
        await using (var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write))
        {
            await budget.CopyAsync(source, file, entry.Length, package, item, token);
        }

        extracted[relative] = package.ToString();
    }

    /// <summary>"lib/net10.0/sub/X.dll" → "sub/X.dll".</summary>
    private static string RelativeToLibFolder(string item)
    {
        var parts = item.Replace('\\', '/').Split('/');
        return string.Join('/', parts.Skip(2));
    }

    private static (List<string> Assemblies, List<string> Platforms, List<LockedPlatform> Index) InspectPlugin(string plugin, List<string> rootFiles, PackageIdentity package)
    {
        var index = new List<LockedPlatform>();
        var assemblies = new List<string>();
        var platforms = new List<string>();
        var problems = new List<string>();
        var contributes = false;
        foreach (var file in rootFiles.Where(f => f.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)))
        {
            PluginAssemblyInfo info;
            try
            {
                info = PluginAssemblyInspector.Inspect(Path.Combine(plugin, file));
            }
            catch (Exception e) when (e is BadImageFormatException or InvalidOperationException)
            {
                continue; // a native or resource file named .dll: not a plugin assembly
            }

            if (info.Exports.Count == 0 && info.Contributions.Count == 0)
            {
                continue;
            }

            if (ContractCompatibility.Check(info.ContractVersion, $"'{file}'", info.Exports.Count > 0 ? "Platform" : "contribution") is { } incompatible)
            {
                throw new PluginInstallException(PluginInstallError.IncompatibleContract, $"{package}: {incompatible} (see --version)");
            }

            var named = info.Exports.Where(e => e.Metadata is not null).Select(e => e.Metadata!.Name).ToList();
            problems.AddRange(info.Exports.Where(e => e.Metadata is null).Select(e => $"{e.TypeName} has no [PlatformMetadata]"));
            problems.AddRange(info.Contributions.Where(c => !c.HasMetadata).Select(c => $"{c.TypeName} has no [PlatformContribution]"));
            var contributesHere = info.Contributions.Any(c => c.HasMetadata);
            contributes |= contributesHere;
            if (named.Count > 0 || contributesHere)
            {
                assemblies.Add(file);
                platforms.AddRange(named);
                index.AddRange(InstalledPluginIndex.Entries(file, info));
            }
        }

        if (assemblies.Count == 0)
        {
            throw new PluginInstallException(PluginInstallError.NotAPlatformPlugin,
                $"{package} contains no assembly that exports a Platform ([Export(typeof(Platform))] with [PlatformMetadata]) or a contribution ([Export(typeof(AttentionBackendContribution))] or another contribution part, with [PlatformContribution]){(problems.Count > 0 ? ": " + string.Join("; ", problems) : "")}. " +
                "It is not a platform plugin; check the package id (platform packages are named Sgl.Platform.<Name>).");
        }

        // The index lets the host skip a plugin whose hardware is absent without opening it. A plugin that contributes
        // parts (which may extend a platform other than its own) must always be opened, so it gets no index.
        if (contributes)
        {
            index.Clear();
        }

        return (assemblies, platforms.Distinct(StringComparer.Ordinal).ToList(), index);
    }
}
