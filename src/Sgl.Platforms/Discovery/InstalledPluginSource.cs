using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// The "Installed" discovery source: plugins that <c>sgl platforms install</c> put under SGL_PLATFORMS_HOME.
/// Under the home's shared commit lock, the home and its lock file must pass the ownership and mode checks,
/// the lock file is checked field by field, and each plugin folder must hold exactly the files the lock
/// pins, each with its SHA-512, every folder and file owned by the current user or root and writable by
/// no one else. A plugin that fails is refused by its platform names; one that passes is kept as the files
/// it verified (<see cref="VerifiedPlugin"/>), which are all that is ever loaded of it.
/// </summary>
internal static class InstalledPluginSource
{
    /// <summary>How long a start waits for an install, removal or restore to finish committing.</summary>
    private static readonly TimeSpan CommitWait = TimeSpan.FromSeconds(30);

    /// <summary>An installed plugin assembly to inspect, or a candidate already refused; <paramref name="Plugin"/> is its lock entry.</summary>
    internal sealed record Found(PluginAssemblyLocation? Location, PlatformCandidate? Refused, LockedPlugin? Plugin);

    public static IReadOnlyList<Found> Find(string platformsHome, Matching.HardwareMatcher? matcher = null) => Find(platformsHome, HomeTrust.ForCurrentUser(), matcher);

    /// <param name="platformsHome">The home.</param>
    /// <param name="trust">The ownership and mode rules.</param>
    /// <param name="matcher">When given, a plugin whose lock-file index says its hardware is absent is reported NotPresent without being verified or opened.</param>
    public static IReadOnlyList<Found> Find(string platformsHome, HomeTrust trust, Matching.HardwareMatcher? matcher = null)
    {
        var lockPath = Path.Combine(platformsHome, PlatformsLock.FileName);

        // Most machines have no installed plugins: one check, no lock taken.
        if (!File.Exists(lockPath))
        {
            return [];
        }

        using var reading = HomeCommitLock.TakeShared(platformsHome, CommitWait);
        if (reading is null)
        {
            return [new Found(null, LockFileRow(lockPath, CandidateStatus.Failed,
                $"An install, removal or restore has been changing '{platformsHome}' for over {CommitWait.TotalSeconds:0} s, so no installed plugin was loaded. Retry when it has finished."), null)];
        }

        var homeProblem = trust.CheckHome(platformsHome) ?? trust.CheckLockFile(lockPath);
        PlatformsLock? lockFile;
        try
        {
            lockFile = PlatformsLock.Read(platformsHome);
        }
        catch (Exception e) when (e is InvalidPlatformsLockException or IOException or UnauthorizedAccessException)
        {
            return [new Found(null, LockFileRow(lockPath, CandidateStatus.Rejected,
                $"{e.Message.TrimEnd('.')}. No installed plugin was loaded. {InvalidPlatformsLockException.Advice}" + (homeProblem is null ? "" : $" Also: {homeProblem}")), null)];
        }

        if (lockFile is null)
        {
            return [];
        }

        var found = new List<Found>();
        foreach (var plugin in lockFile.Plugins)
        {
            var directory = PlatformsLock.PluginDirectory(platformsHome, plugin.Id, plugin.Version);
            if (homeProblem is null && matcher is not null && InstalledPluginIndex.NotPresent(plugin, directory, matcher) is { } absent)
            {
                found.AddRange(absent.Select(row => new Found(null, row, plugin)));
                continue;
            }

            var (verified, problem) = homeProblem is null ? Verify(platformsHome, plugin, trust) : (null, homeProblem);
            if (verified is null)
            {
                var names = plugin.Platforms.Count > 0 ? plugin.Platforms : [plugin.Id];
                found.AddRange(names.Select(name => new Found(null, Refused(name, directory, plugin.Version, CandidateStatus.Rejected,
                    $"Installed plugin {plugin.Id} {plugin.Version} refused: {problem}"), plugin)));
                continue;
            }

            found.AddRange(plugin.Assemblies.Select(assembly => new Found(
                new PluginAssemblyLocation(Path.GetFileNameWithoutExtension(assembly), Path.Combine(directory, assembly), Isolated: true, verified), null, plugin)));
        }

        return found;
    }

    /// <summary>
    /// Checks an installed plugin against its lock entry and keeps what it verified; returns the plugin, or
    /// what is wrong and how to fix it.
    /// </summary>
    public static (VerifiedPlugin? Plugin, string? Problem) Verify(string platformsHome, LockedPlugin plugin, HomeTrust trust)
    {
        var directory = PlatformsLock.PluginDirectory(platformsHome, plugin.Id, plugin.Version);
        if ((trust.CheckOwnedAndPrivate(Path.GetDirectoryName(directory)!) ?? trust.CheckOwnedAndPrivate(directory)) is { } untrusted)
        {
            return (null, untrusted);
        }

        if (!Directory.Exists(directory))
        {
            return (null, $"its folder '{directory}' is missing. Run 'sgl platforms restore' to reinstall what {PlatformsLock.FileName} pins.");
        }

        return VerifiedPlugin.Capture(directory, plugin.Files.ToDictionary(f => f.Path, f => f.Sha512, StringComparer.Ordinal), trust);
    }

    /// <summary>What is wrong with an installed plugin, or null when it verifies (for the installer, which keeps nothing).</summary>
    public static string? ProblemOf(string platformsHome, LockedPlugin plugin, HomeTrust trust)
    {
        var (verified, problem) = Verify(platformsHome, plugin, trust);
        verified?.Release();
        return problem;
    }

    private static PlatformCandidate LockFileRow(string lockPath, CandidateStatus status, string reason) =>
        Refused(PlatformsLock.FileName, lockPath, "", status, reason);

    private static PlatformCandidate Refused(string name, string display, string version, CandidateStatus status, string reason) => new()
    {
        Name = name,
        Metadata = new PlatformMetadata { Name = name, Kind = PlatformEnum.Oot, Priority = 0 },
        Source = CandidateSource.Installed,
        AssemblyDisplay = display,
        Version = version,
        Status = status,
        Reason = reason,
    };
}
