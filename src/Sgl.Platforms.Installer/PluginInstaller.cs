using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NuGet.Packaging.Core;
using NuGet.Protocol.Core.Types;
using NuGet.Versioning;
using Sgl.Platforms.Discovery;

namespace Sgl.Platforms.Installer;

/// <summary>
/// Installs, removes and restores platform plugins in the plugins home (<c>SGL_PLATFORMS_HOME</c>) from
/// the NuGet feeds in NuGet.config, recording each in <c>platforms.lock.json</c>, which the host verifies
/// before it loads an installed plugin. Operations on one home are serialized by a file lock, and each
/// either completes or leaves the home as it was.
/// </summary>
public sealed class PluginInstaller
{
    private readonly HomeFolder _home;
    private readonly string _workingDirectory;
    private readonly TimeSpan _lockTimeout;
    private readonly ILogger _logger;

    /// <summary>Creates an installer.</summary>
    /// <param name="options">The home and where NuGet.config lookup starts.</param>
    /// <param name="logger">Receives what was installed, removed or restored.</param>
    public PluginInstaller(PluginInstallerOptions? options = null, ILogger? logger = null)
    {
        options ??= new PluginInstallerOptions();
        _logger = logger ?? NullLogger.Instance;
        _home = new HomeFolder(ResolveHome(options.PlatformsHome), _logger);
        _workingDirectory = Path.GetFullPath(options.WorkingDirectory ?? Directory.GetCurrentDirectory());
        _lockTimeout = options.LockTimeout;
    }

    /// <summary>The plugins home this installer writes to.</summary>
    public string PlatformsHome => _home.Path;

    /// <summary>Lets tests stop an install at a given point, as a crash there would.</summary>
    internal Func<InstallFaultPoint, Task>? FaultInjection { get; set; }

    /// <summary>
    /// Installs a plugin package and its dependencies (less what the host provides) into
    /// <c>{home}/{id}/{version}</c> and pins it in the lock file, replacing any other installed version.
    /// </summary>
    /// <exception cref="PluginInstallException">The package cannot be installed; the message says why and what to do.</exception>
    public async Task<InstalledPlugin> InstallAsync(PluginInstallRequest request, IProgress<PackageDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var feeds = FeedConfiguration.Load(_workingDirectory);
        using var cache = NewCache();
        var packages = await new PackageResolution(feeds, cache, _logger).ResolveAsync(request, cancellationToken);

        using var held = await _home.LockAsync(_lockTimeout, cancellationToken);
        var current = _home.ReadLock();
        _home.RemoveLeftovers(current);
        var staging = _home.NewStaging();
        string? displaced = null;
        string? target = null;
        try
        {
            var staged = await new PluginStager(feeds, cache).StageAsync(staging, packages, pinned: null, progress, cancellationToken);
            await Inject(InstallFaultPoint.AfterStaging);

            var entry = staged.Entry;
            var previous = current.Plugins.FirstOrDefault(p => p.Id.Equals(entry.Id, StringComparison.OrdinalIgnoreCase));
            target = PlatformsLock.PluginDirectory(_home.Path, entry.Id, entry.Version);
            var unchanged = previous is not null && previous.Version == entry.Version
                && InstalledPluginSource.Verify(_home.Path, previous) is null && SameFiles(previous, entry);
            if (!unchanged)
            {
                displaced = HomeFolder.Place(staged.Directory, target, staging);
            }

            await Inject(InstallFaultPoint.BeforeLockCommit);
            _home.WriteLock(new PlatformsLock
            {
                Plugins = current.Plugins.Where(p => !p.Id.Equals(entry.Id, StringComparison.OrdinalIgnoreCase)).Append(entry)
                    .OrderBy(p => p.Id, StringComparer.OrdinalIgnoreCase).ToList(),
            });
            displaced = null;
            target = null;
            if (previous is not null && previous.Version != entry.Version)
            {
                _home.Delete(PlatformsLock.PluginDirectory(_home.Path, previous.Id, previous.Version));
            }

            var installed = ToInstalled(entry, problem: null);
            InstallerLog.Installed(_logger, entry.Id, entry.Version, entry.Source, installed.Directory, entry.Platforms);
            return installed;
        }
        catch when (displaced is not null && target is not null)
        {
            // The commit did not happen: the replaced folder goes back where the lock file expects it.
            _home.Delete(target);
            Directory.Move(displaced, target);
            throw;
        }
        finally
        {
            _home.Delete(staging);
        }
    }

    /// <summary>Removes an installed plugin: its lock entry first, then its folder.</summary>
    /// <exception cref="PluginInstallException">The plugin is not installed.</exception>
    public async Task<InstalledPlugin> RemoveAsync(string packageId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(packageId);
        using var held = await _home.LockAsync(_lockTimeout, cancellationToken);
        var current = _home.ReadLock();
        var entry = current.Plugins.FirstOrDefault(p => p.Id.Equals(packageId, StringComparison.OrdinalIgnoreCase))
            ?? throw new PluginInstallException(PluginInstallError.NotInstalled,
                $"'{packageId}' is not installed in '{_home.Path}'" +
                (current.Plugins.Count == 0 ? " (nothing is)." : $"; installed: {string.Join(", ", current.Plugins.Select(p => p.Id))}.") +
                " Run 'sgl platforms list --installed' to see installed plugins.");

        _home.WriteLock(new PlatformsLock { Plugins = current.Plugins.Where(p => p != entry).ToList() });
        var directory = PlatformsLock.PluginDirectory(_home.Path, entry.Id, entry.Version);
        _home.Delete(directory);
        HomeFolder.DeleteIfEmpty(Path.GetDirectoryName(directory)!);
        InstallerLog.Removed(_logger, entry.Id, entry.Version);
        return ToInstalled(entry, problem: null);
    }

    /// <summary>
    /// Makes the home hold exactly what <c>platforms.lock.json</c> pins: every plugin whose folder is missing
    /// or does not verify is downloaded again, checked against the pinned SHA-512 hashes and put back.
    /// The lock file itself is never changed.
    /// </summary>
    /// <exception cref="PluginInstallException">A pinned package cannot be found or does not match its hash.</exception>
    public async Task<PluginRestoreResult> RestoreAsync(IProgress<PackageDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var feeds = FeedConfiguration.Load(_workingDirectory);
        using var cache = NewCache();
        using var held = await _home.LockAsync(_lockTimeout, cancellationToken);
        var current = _home.ReadLock();
        _home.RemoveLeftovers(current);
        var broken = current.Plugins.Where(p => InstalledPluginSource.Verify(_home.Path, p) is not null).ToList();
        var staging = broken.Select(_ => _home.NewStaging()).ToList();
        try
        {
            var staged = await Task.WhenAll(broken.Select(async (plugin, i) =>
            {
                var resolution = new PackageResolution(feeds, cache, _logger);
                var packages = new List<ResolvedPackage>();
                foreach (var (id, version, source) in new[] { (plugin.Id, plugin.Version, plugin.Source) }.Concat(plugin.Dependencies.Select(d => (d.Id, d.Version, d.Source))))
                {
                    var identity = new PackageIdentity(id, NuGetVersion.Parse(version));
                    packages.Add(new ResolvedPackage(identity, await resolution.FindExactAsync(identity, source, cancellationToken)));
                }

                return await new PluginStager(feeds, cache).StageAsync(staging[i], packages, plugin, progress, cancellationToken);
            }));

            for (var i = 0; i < broken.Count; i++)
            {
                var target = PlatformsLock.PluginDirectory(_home.Path, broken[i].Id, broken[i].Version);
                HomeFolder.Place(staged[i].Directory, target, staging[i]);
                InstallerLog.Restored(_logger, broken[i].Id, broken[i].Version, staged[i].Entry.Source);
            }
        }
        finally
        {
            foreach (var folder in staging)
            {
                _home.Delete(folder);
            }
        }

        return new PluginRestoreResult(
            broken.Select(p => ToInstalled(p, null)).ToList(),
            current.Plugins.Except(broken).Select(p => ToInstalled(p, null)).ToList());
    }

    /// <summary>The plugins the lock file pins, each with what the host would find wrong with it now.</summary>
    /// <exception cref="PluginInstallException">The lock file cannot be read.</exception>
    public IReadOnlyList<InstalledPlugin> ListInstalled() =>
        _home.ReadLock().Plugins.Select(p => ToInstalled(p, InstalledPluginSource.Verify(_home.Path, p))).ToList();

    private InstalledPlugin ToInstalled(LockedPlugin entry, string? problem) => new(
        entry.Id,
        entry.Version,
        entry.Source,
        PlatformsLock.PluginDirectory(_home.Path, entry.Id, entry.Version),
        entry.Platforms,
        entry.Dependencies.Select(d => $"{d.Id}/{d.Version}").ToList(),
        problem);

    private static bool SameFiles(LockedPlugin a, LockedPlugin b) =>
        a.Files.Select(f => (f.Path, f.Sha512)).ToHashSet().SetEquals(b.Files.Select(f => (f.Path, f.Sha512)));

    private Task Inject(InstallFaultPoint point) => FaultInjection?.Invoke(point) ?? Task.CompletedTask;

    // Plugins are fetched fresh from the feed every time: the hash pins content, not a local cache.
    private static SourceCacheContext NewCache() => new() { NoCache = true, DirectDownload = true };

    private static string ResolveHome(string? configured) =>
        PlatformSettings.Parse(new PlatformOptions { PlatformsHome = configured ?? PlatformOptions.FromEnvironment().PlatformsHome }).PlatformsHome;
}
