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
/// either completes or leaves the home as it was; a failed write (a full disk) is a
/// <see cref="PluginInstallError.HomeWriteFailed"/> error, never a half-changed home.
/// </summary>
public sealed class PluginInstaller
{
    private readonly HomeFolder _home;
    private readonly HomeTrust _trust = HomeTrust.ForCurrentUser();
    private readonly string _workingDirectory;
    private readonly TimeSpan _lockTimeout;
    private readonly PackageLimits _limits;
    private readonly ILogger _logger;

    /// <summary>Creates an installer.</summary>
    /// <param name="options">The home, where NuGet.config lookup starts, and the package limits.</param>
    /// <param name="logger">Receives what was installed, removed or restored.</param>
    /// <exception cref="PlatformConfigurationException">A setting (the home, a package limit) has a value that cannot be used.</exception>
    public PluginInstaller(PluginInstallerOptions? options = null, ILogger? logger = null)
    {
        options ??= new PluginInstallerOptions();
        _logger = logger ?? NullLogger.Instance;
        _home = new HomeFolder(ResolveHome(options.PlatformsHome), _trust, _logger);
        _workingDirectory = Path.GetFullPath(options.WorkingDirectory ?? Directory.GetCurrentDirectory());
        _lockTimeout = options.LockTimeout;
        _limits = options.Limits ?? PackageLimits.FromEnvironment();
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
        _home.Prepare();
        var feeds = FeedConfiguration.Load(_workingDirectory);
        using var cache = NewCache();
        var packages = await new PackageResolution(feeds, cache, _logger).ResolveAsync(request, cancellationToken);

        using var held = await _home.LockAsync(_lockTimeout, cancellationToken);
        var current = _home.ReadLock();
        string? staging = null;
        string? displaced = null;
        string? created = null;
        string? target = null;
        try
        {
            _home.RemoveLeftovers(current);
            staging = _home.NewStaging();
            var others = current.Plugins.Where(p => !p.Id.Equals(packages[0].Identity.Id, StringComparison.OrdinalIgnoreCase));
            var staged = await new PluginStager(feeds, cache, _limits, _home.Path).StageAsync(staging, packages, pinned: null, others, progress, cancellationToken);
            await Inject(InstallFaultPoint.AfterStaging);

            var entry = staged.Entry;
            var previous = current.Plugins.FirstOrDefault(p => p.Id.Equals(entry.Id, StringComparison.OrdinalIgnoreCase));
            target = PlatformsLock.PluginDirectory(_home.Path, entry.Id, entry.Version);
            var unchanged = previous is not null && previous.Version == entry.Version
                && InstalledPluginSource.ProblemOf(_home.Path, previous, _trust) is null && SameFiles(previous, entry);
            var retired = previous is not null && previous.Version != entry.Version ? PlatformsLock.RelativePluginDirectory(previous.Id, previous.Version) : null;
            var journal = new List<string>();
            if (!unchanged && !Directory.Exists(target))
            {
                journal.Add(PlatformsLock.RelativePluginDirectory(entry.Id, entry.Version));
            }

            if (retired is not null)
            {
                journal.Add(retired);
            }

            _home.WriteJournal(journal);
            using (_home.Commit())
            {
                if (!unchanged)
                {
                    created = Directory.Exists(target) ? null : target;
                    displaced = HomeFolder.Place(staged.Directory, target, staging);
                }

                await Inject(InstallFaultPoint.BeforeLockCommit);
                _home.WriteLock(new PlatformsLock
                {
                    Plugins = current.Plugins.Where(p => !p.Id.Equals(entry.Id, StringComparison.OrdinalIgnoreCase)).Append(entry)
                        .OrderBy(p => p.Id, StringComparer.OrdinalIgnoreCase).ToList(),
                });
            }

            (displaced, created, target) = (null, null, null);
            Settle(staging, retired);
            var installed = ToInstalled(entry, problem: null);
            InstallerLog.Installed(_logger, entry.Id, entry.Version, entry.Source, installed.Directory, entry.Platforms);
            return installed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PluginInstallException)
        {
            // The commit did not happen: what was placed goes, what it replaced comes back. (Anything else is
            // handled as a crash would be: the journal lets the next operation clean up.)
            RollBack(staging, created, displaced, target);
            if (e is PluginInstallException)
            {
                throw;
            }

            throw HomeFolder.WriteFailed(_home.Path, e);
        }
    }

    /// <summary>Removes an installed plugin: its lock entry first, then its folder.</summary>
    /// <exception cref="PluginInstallException">The plugin is not installed.</exception>
    public async Task<InstalledPlugin> RemoveAsync(string packageId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(packageId);
        _home.Prepare();
        using var held = await _home.LockAsync(_lockTimeout, cancellationToken);
        var current = _home.ReadLock();
        var entry = current.Plugins.FirstOrDefault(p => p.Id.Equals(packageId, StringComparison.OrdinalIgnoreCase))
            ?? throw new PluginInstallException(PluginInstallError.NotInstalled,
                $"'{packageId}' is not installed in '{_home.Path}'" +
                (current.Plugins.Count == 0 ? " (nothing is)." : $"; installed: {string.Join(", ", current.Plugins.Select(p => p.Id))}.") +
                " Run 'sgl platforms list --installed' to see installed plugins.");

        var folder = PlatformsLock.RelativePluginDirectory(entry.Id, entry.Version);
        try
        {
            _home.RemoveLeftovers(current);
            _home.WriteJournal([folder]);
            using (_home.Commit())
            {
                _home.WriteLock(new PlatformsLock { Plugins = current.Plugins.Where(p => p != entry).ToList() });
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw HomeFolder.WriteFailed(_home.Path, e);
        }

        Settle(staging: null, folder);
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
        _home.Prepare();
        var feeds = FeedConfiguration.Load(_workingDirectory);
        using var cache = NewCache();
        using var held = await _home.LockAsync(_lockTimeout, cancellationToken);
        var current = _home.ReadLock();
        var staging = new List<string>();
        try
        {
            _home.RemoveLeftovers(current);
            var broken = current.Plugins.Where(p => InstalledPluginSource.ProblemOf(_home.Path, p, _trust) is not null).ToList();
            staging.AddRange(broken.Select(_ => _home.NewStaging()));
            var staged = await Task.WhenAll(broken.Select(async (plugin, i) =>
            {
                var resolution = new PackageResolution(feeds, cache, _logger);
                var packages = new List<ResolvedPackage>();
                foreach (var (id, version, source) in new[] { (plugin.Id, plugin.Version, plugin.Source) }.Concat(plugin.Dependencies.Select(d => (d.Id, d.Version, d.Source))))
                {
                    var identity = new PackageIdentity(id, NuGetVersion.Parse(version));
                    packages.Add(new ResolvedPackage(identity, await resolution.FindExactAsync(identity, source, cancellationToken)));
                }

                return await new PluginStager(feeds, cache, _limits, _home.Path).StageAsync(staging[i], packages, plugin, [], progress, cancellationToken);
            }));

            for (var i = 0; i < broken.Count; i++)
            {
                var target = PlatformsLock.PluginDirectory(_home.Path, broken[i].Id, broken[i].Version);
                using (_home.Commit())
                {
                    HomeFolder.Place(staged[i].Directory, target, staging[i]);
                }

                InstallerLog.Restored(_logger, broken[i].Id, broken[i].Version, staged[i].Entry.Source);
            }

            foreach (var folder in staging)
            {
                _home.Delete(folder);
            }

            return new PluginRestoreResult(
                broken.Select(p => ToInstalled(p, null)).ToList(),
                current.Plugins.Except(broken).Select(p => ToInstalled(p, null)).ToList());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PluginInstallException)
        {
            foreach (var folder in staging)
            {
                TryQuietly(() => _home.Delete(folder));
            }

            if (e is PluginInstallException)
            {
                throw;
            }

            throw HomeFolder.WriteFailed(_home.Path, e);
        }
    }

    /// <summary>
    /// The plugins the lock file pins, each with what the next start would find wrong with it: the same
    /// ownership, hash and file checks, and the host's own validation of its platform names and kinds
    /// against the built-ins and the other installed plugins.
    /// </summary>
    /// <exception cref="PluginInstallException">The lock file cannot be read or fails its checks.</exception>
    public IReadOnlyList<InstalledPlugin> ListInstalled()
    {
        var pinned = _home.ReadLock();
        var problems = InstalledPluginAudit.Run(_home.Path, _trust);
        return pinned.Plugins.Select(p => ToInstalled(p, problems.GetValueOrDefault(p.Id))).ToList();
    }

    private InstalledPlugin ToInstalled(LockedPlugin entry, string? problem) => new(
        entry.Id,
        entry.Version,
        entry.Source,
        PlatformsLock.PluginDirectory(_home.Path, entry.Id, entry.Version),
        entry.Platforms,
        entry.Dependencies.Select(d => $"{d.Id}/{d.Version}").ToList(),
        problem);

    /// <summary>After a commit: removes the staging folder and the retired plugin folder; a failure here is left to the journal.</summary>
    private void Settle(string? staging, string? retired)
    {
        var settled = TryQuietly(() =>
        {
            if (staging is not null)
            {
                _home.Delete(staging);
            }

            if (retired is not null)
            {
                _home.DeletePluginFolder(retired);
            }
        });
        if (settled)
        {
            TryQuietly(_home.ClearJournal);
        }
    }

    private void RollBack(string? staging, string? created, string? displaced, string? target)
    {
        TryQuietly(() =>
        {
            if (created is not null)
            {
                _home.Delete(created);
                HomeFolder.DeleteIfEmpty(Path.GetDirectoryName(created)!);
            }

            if (displaced is not null && target is not null)
            {
                _home.Delete(target);
                Directory.Move(displaced, target);
            }

            if (staging is not null)
            {
                _home.Delete(staging);
            }

            _home.ClearJournal();
        });
    }

    /// <summary>Cleanup after a failure must not hide the failure: it is retried by the next operation anyway.</summary>
    private static bool TryQuietly(Action action)
    {
        try
        {
            action();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool SameFiles(LockedPlugin a, LockedPlugin b) =>
        a.Files.Select(f => (f.Path, f.Sha512)).ToHashSet().SetEquals(b.Files.Select(f => (f.Path, f.Sha512)));

    private Task Inject(InstallFaultPoint point) => FaultInjection?.Invoke(point) ?? Task.CompletedTask;

    // Plugins are fetched fresh from the feed every time: the hash pins content, not a local cache.
    private static SourceCacheContext NewCache() => new() { NoCache = true, DirectDownload = true };

    private static string ResolveHome(string? configured) =>
        PlatformSettings.Parse(new PlatformOptions { PlatformsHome = configured ?? PlatformOptions.FromEnvironment().PlatformsHome }).PlatformsHome;
}
