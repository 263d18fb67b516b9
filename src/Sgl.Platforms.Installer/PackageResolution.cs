using Microsoft.Extensions.Logging;
using NuGet.Frameworks;
using NuGet.Packaging;
using NuGet.Packaging.Core;
using NuGet.Protocol.Core.Types;
using NuGet.Resolver;
using NuGet.Versioning;
using NuGetLogger = NuGet.Common.NullLogger;

namespace Sgl.Platforms.Installer;

/// <summary>A package chosen for install, with the source it comes from.</summary>
internal sealed record ResolvedPackage(PackageIdentity Identity, SourceRepository Source);

/// <summary>
/// Picks the plugin's version and the lowest applicable version of each dependency (as NuGet restore
/// does), leaving out what the host provides; NuGet.Resolver then settles a consistent set. Works on any
/// source with a FindPackageById resource: local folders and V3 flat containers alike.
/// </summary>
internal sealed class PackageResolution(FeedConfiguration feeds, SourceCacheContext cache, ILogger logger)
{
    /// <summary>The framework plugins run on: the host's.</summary>
    public static readonly NuGetFramework HostFramework = NuGetFramework.Parse("net10.0");

    private readonly Dictionary<string, Dictionary<NuGetVersion, SourceRepository>> _versions = new(StringComparer.OrdinalIgnoreCase);

    public async Task<List<ResolvedPackage>> ResolveAsync(PluginInstallRequest request, CancellationToken token)
    {
        var root = await ChooseRootAsync(request, token);
        var available = new Dictionary<PackageIdentity, SourcePackageDependencyInfo>(PackageIdentityComparer.Default);
        var queue = new Queue<(PackageIdentity Package, SourceRepository Source)>([root]);
        while (queue.Count > 0)
        {
            var (package, source) = queue.Dequeue();
            if (available.ContainsKey(package))
            {
                continue;
            }

            var dependencies = await DependenciesOfAsync(package, source, token);
            available[package] = new SourcePackageDependencyInfo(package.Id, package.Version, dependencies, listed: true, source);
            foreach (var dependency in dependencies)
            {
                queue.Enqueue(await LowestApplicableAsync(dependency, package, token));
            }
        }

        var context = new PackageResolverContext(DependencyBehavior.Lowest, [root.Package.Id], [root.Package.Id], [], [root.Package],
            available.Values, available.Values.Select(p => p.Source.PackageSource).Distinct(), NuGetLogger.Instance);
        try
        {
            return new PackageResolver().Resolve(context, token)
                .Select(identity => available[identity])
                .Select(info => new ResolvedPackage(new PackageIdentity(info.Id, info.Version), info.Source))
                .OrderBy(p => p.Identity.Id.Equals(root.Package.Id, StringComparison.OrdinalIgnoreCase) ? 0 : 1)
                .ThenBy(p => p.Identity.Id, StringComparer.OrdinalIgnoreCase)
                .ToList();
        }
        catch (NuGetResolverException e)
        {
            throw new PluginInstallException(PluginInstallError.DependencyConflict,
                $"The dependencies of {root.Package.Id} {root.Package.Version} cannot be satisfied together: {e.Message} Ask the vendor for a version with consistent dependencies, or pick another version with --version.", e);
        }
    }

    /// <summary>Finds an exact version on the sources allowed for the package (for restore).</summary>
    public async Task<SourceRepository> FindExactAsync(PackageIdentity package, string? preferredSource, CancellationToken token)
    {
        var versions = await VersionsAsync(package.Id, null, token);
        if (!versions.TryGetValue(package.Version, out var source))
        {
            throw new PluginInstallException(PluginInstallError.VersionNotFound,
                $"{package.Id} {package.Version} is pinned in the lock file but no source allowed for it has that version. " +
                "Check NuGet.config on this node (same sources and mapping as where it was installed), or install another version and commit the new lock file.");
        }

        // The version may be on several sources; the one it was installed from is preferred, the hash decides.
        var all = feeds.SourcesFor(package.Id, null);
        return all.FirstOrDefault(s => s.PackageSource.Source.Equals(preferredSource, StringComparison.OrdinalIgnoreCase)) is { } preferred
            && (await VersionsFromAsync(package.Id, preferred, token)).Contains(package.Version)
            ? preferred
            : source;
    }

    private async Task<(PackageIdentity Package, SourceRepository Source)> ChooseRootAsync(PluginInstallRequest request, CancellationToken token)
    {
        var versions = await VersionsAsync(request.PackageId, request.Source, token);
        var sourceNames = string.Join(", ", feeds.SourcesFor(request.PackageId, request.Source).Select(s => $"'{s.PackageSource.Name}'"));
        if (versions.Count == 0)
        {
            throw new PluginInstallException(PluginInstallError.PackageNotFound,
                $"Package '{request.PackageId}' was not found on {sourceNames}. Check the package id (for example Sgl.Platform.Musa) and that the source holds it.");
        }

        NuGetVersion? chosen;
        if (request.Version is not null)
        {
            if (!NuGetVersion.TryParse(request.Version, out var wanted))
            {
                throw new PluginInstallException(PluginInstallError.VersionNotFound,
                    $"'{request.Version}' is not a NuGet version. Pass an exact version such as 1.2.0 to --version.");
            }

            chosen = versions.Keys.FirstOrDefault(v => v == wanted);
        }
        else
        {
            chosen = versions.Keys.Where(v => request.Prerelease || !v.IsPrerelease).Max();
        }

        if (chosen is null)
        {
            var listed = string.Join(", ", versions.Keys.OrderDescending().Take(10).Select(v => v.ToNormalizedString()));
            throw new PluginInstallException(PluginInstallError.VersionNotFound, request.Version is not null
                ? $"{request.PackageId} {request.Version} was not found on {sourceNames}; available: {listed}. Pass one of those to --version."
                : $"{request.PackageId} has only prerelease versions on {sourceNames} ({listed}). Pass --prerelease, or an exact --version.");
        }

        return (new PackageIdentity(request.PackageId, chosen), versions[chosen]);
    }

    private async Task<List<PackageDependency>> DependenciesOfAsync(PackageIdentity package, SourceRepository source, CancellationToken token)
    {
        var finder = await FeedCalls.FinderAsync(source, token);
        var info = await FeedCalls.RunAsync(source, $"reading the dependencies of {package}",
            () => finder.GetDependencyInfoAsync(package.Id, package.Version, cache, NuGetLogger.Instance, token));
        if (info is null)
        {
            throw new PluginInstallException(PluginInstallError.PackageNotFound,
                $"{package} is listed on '{source.PackageSource.Name}' but its package cannot be read. Ask the feed's owner to republish it.");
        }

        var group = NuGetFrameworkUtility.GetNearest(info.DependencyGroups, HostFramework, g => g.TargetFramework);
        var kept = new List<PackageDependency>();
        foreach (var dependency in group?.Packages ?? [])
        {
            if (HostProvidedPackages.Contains(dependency.Id))
            {
                InstallerLog.HostProvided(logger, dependency.Id, package.Id);
            }
            else
            {
                kept.Add(dependency);
            }
        }

        return kept;
    }

    private async Task<(PackageIdentity Package, SourceRepository Source)> LowestApplicableAsync(PackageDependency dependency, PackageIdentity parent, CancellationToken token)
    {
        // A --source names where the plugin comes from; its dependencies may come from any source mapped to them.
        var versions = await VersionsAsync(dependency.Id, null, token);
        var lowest = versions.Keys.Where(dependency.VersionRange.Satisfies).Min();
        if (lowest is null)
        {
            throw new PluginInstallException(PluginInstallError.DependencyNotFound,
                $"{parent} depends on {dependency.Id} {dependency.VersionRange.PrettyPrint()}, which no source allowed for it has" +
                (versions.Count == 0 ? "" : $" (available: {string.Join(", ", versions.Keys.Order().Select(v => v.ToNormalizedString()))})") +
                $". Add the source that serves {dependency.Id} to NuGet.config (and to packageSourceMapping if used).");
        }

        return (new PackageIdentity(dependency.Id, lowest), versions[lowest]);
    }

    private async Task<Dictionary<NuGetVersion, SourceRepository>> VersionsAsync(string id, string? requestedSource, CancellationToken token)
    {
        var key = requestedSource is null ? id : id + "\n" + requestedSource;
        if (_versions.TryGetValue(key, out var known))
        {
            return known;
        }

        var sources = feeds.SourcesFor(id, requestedSource);
        var found = await Task.WhenAll(sources.Select(async s => (Source: s, Versions: await VersionsFromAsync(id, s, token))));
        var versions = new Dictionary<NuGetVersion, SourceRepository>();
        foreach (var (source, list) in found)
        {
            foreach (var version in list)
            {
                // Sources are in NuGet.config order; the first one holding a version serves it.
                versions.TryAdd(version, source);
            }
        }

        _versions[key] = versions;
        return versions;
    }

    private async Task<HashSet<NuGetVersion>> VersionsFromAsync(string id, SourceRepository source, CancellationToken token)
    {
        var finder = await FeedCalls.FinderAsync(source, token);
        var versions = await FeedCalls.RunAsync(source, $"listing the versions of {id}",
            () => finder.GetAllVersionsAsync(id, cache, NuGetLogger.Instance, token));
        return versions.ToHashSet();
    }
}
