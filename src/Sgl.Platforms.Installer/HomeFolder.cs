using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sgl.Platforms.Discovery;

namespace Sgl.Platforms.Installer;

/// <summary>
/// The plugins home on disk: its marker, install lock, commit lock, staging area, journal, lock file and
/// plugin folders. A home is marked as one (<c>.sgl-platforms-home</c>), and nothing is written into a
/// folder that holds anything else. Every change is staged under <c>.staging</c> on the same file system
/// and committed by renames under the exclusive commit lock, the lock file last, so an interrupted
/// operation leaves the previous state in force. Plugin folders an operation is about to create or retire
/// are named in <c>.journal.json</c> first: those, and the staging folders, are all a later operation
/// ever deletes as leftovers.
/// </summary>
internal sealed class HomeFolder(string home, HomeTrust trust, ILogger logger)
{
    public const string MarkerName = ".sgl-platforms-home";
    private const string InstallLockName = ".install.lock";
    private const string StagingName = ".staging";
    private const string JournalName = ".journal.json";
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode FileMode644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>How long a commit waits for starts that are reading the home.</summary>
    private static readonly TimeSpan CommitWait = TimeSpan.FromMinutes(1);

    private static readonly string[] OwnNames = [PlatformsLock.FileName, MarkerName, InstallLockName, StagingName, JournalName, HomeCommitLock.FileName];

    public string Path => home;

    /// <summary>
    /// Before anything is written: the home (or where it will be created) passes the ownership and mode
    /// checks, and it is a plugins home, or new, or empty. An unmarked folder that holds only a valid lock
    /// file, the plugin folders it pins and the installer's own files (a home from before homes were
    /// marked, or a node given a lock file to restore) is adopted.
    /// </summary>
    /// <exception cref="PluginInstallException">The home is unsafe, or is a folder that holds other things.</exception>
    public void Prepare()
    {
        var exists = Directory.Exists(home);
        if ((exists ? trust.CheckHome(home) : trust.CheckPlaceFor(home)) is { } unsafeHome)
        {
            throw new PluginInstallException(PluginInstallError.UnsafeHome,
                $"The plugins home '{home}' is not safe to install into: {unsafeHome} Nothing was changed.");
        }

        try
        {
            if (File.Exists(System.IO.Path.Combine(home, MarkerName)))
            {
                CreateFile(HomeCommitLock.FileName);
                return;
            }

            if (exists && Directory.EnumerateFileSystemEntries(home).Any() && !HoldsOnlyAHome())
            {
                throw new PluginInstallException(PluginInstallError.NotAPluginsHome,
                    $"'{home}' already holds files and is not a plugins home (it has no {MarkerName}), so nothing was installed into it and nothing in it was touched. " +
                    $"Set {PlatformEnvironment.PlatformsHome} to a new or empty folder (the default is ~/.sgl/platforms).");
            }

            CreateDirectory(home);
            CreateFile(HomeCommitLock.FileName);
            File.WriteAllText(System.IO.Path.Combine(home, MarkerName),
                "This folder is a plugins home of Sgl Platforms: 'sgl platforms install', 'remove' and 'restore' manage it, and platforms.lock.json says what it holds.\n");
            SetMode(System.IO.Path.Combine(home, MarkerName), FileMode644);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WriteFailed(home, e);
        }
    }

    /// <summary>
    /// Takes the home's install lock (an exclusive OS file lock, released if the process dies), waiting
    /// while another install holds it.
    /// </summary>
    public async Task<IDisposable> LockAsync(TimeSpan timeout, CancellationToken token)
    {
        var path = System.IO.Path.Combine(home, InstallLockName);
        var waited = Stopwatch.StartNew();
        var announced = false;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited.Elapsed < timeout)
            {
                if (!announced)
                {
                    InstallerLog.WaitingForLock(logger, home);
                    announced = true;
                }

                await Task.Delay(50, token);
            }
            catch (UnauthorizedAccessException e)
            {
                throw WriteFailed(home, e);
            }
            catch (IOException e)
            {
                throw new PluginInstallException(PluginInstallError.HomeBusy,
                    $"Another install, removal or restore into '{home}' has held '{path}' for over {timeout.TotalSeconds:0} s. Wait for it to finish and retry; the file is released automatically when that process exits.", e);
            }
        }
    }

    /// <summary>Takes the commit lock exclusively: starts that are reading the home finish first, and new ones wait.</summary>
    /// <exception cref="PluginInstallException">Starts kept reading for longer than a minute.</exception>
    public HomeCommitLock Commit() =>
        HomeCommitLock.TakeExclusive(home, CommitWait) ?? throw new PluginInstallException(PluginInstallError.HomeBusy,
            $"Processes starting with plugins from '{home}' kept reading it for over {CommitWait.TotalSeconds:0} s, so the change could not be committed. Nothing was changed; retry.");

    /// <exception cref="PluginInstallException">The lock file exists but cannot be read or fails its checks.</exception>
    public PlatformsLock ReadLock()
    {
        try
        {
            return PlatformsLock.Read(home) ?? new PlatformsLock();
        }
        catch (Exception e) when (e is InvalidPlatformsLockException or IOException or UnauthorizedAccessException)
        {
            throw new PluginInstallException(PluginInstallError.InvalidLockFile,
                $"{e.Message.TrimEnd('.')}. Nothing was changed. {InvalidPlatformsLockException.Advice}", e);
        }
    }

    /// <summary>What the ownership and mode checks find wrong with the home or its lock file, or null.</summary>
    public string? Untrusted() => trust.CheckHome(home) ?? trust.CheckLockFile(System.IO.Path.Combine(home, PlatformsLock.FileName));

    /// <summary>Replaces the lock file in one rename, after its content is on disk.</summary>
    public void WriteLock(PlatformsLock lockFile)
    {
        var path = System.IO.Path.Combine(home, PlatformsLock.FileName);
        var temporary = System.IO.Path.Combine(StagingRoot(), $"{PlatformsLock.FileName}.{Guid.NewGuid():N}");
        using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
        {
            JsonSerializer.Serialize(stream, lockFile, PlatformsLockJsonContext.Default.PlatformsLock);
            stream.Flush(flushToDisk: true);
        }

        SetMode(temporary, FileMode644);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Records the plugin folders ('id/version') an operation is about to create or retire, before it touches them.</summary>
    public void WriteJournal(IReadOnlyList<string> folders)
    {
        if (folders.Count == 0)
        {
            return;
        }

        var temporary = System.IO.Path.Combine(StagingRoot(), $"{JournalName}.{Guid.NewGuid():N}");
        using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
        {
            JsonSerializer.Serialize(stream, folders.ToList(), HomeJournalJsonContext.Default.ListString);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, System.IO.Path.Combine(home, JournalName), overwrite: true);
    }

    /// <summary>Forgets the journal once what it names is settled.</summary>
    public void ClearJournal() => File.Delete(System.IO.Path.Combine(home, JournalName));

    /// <summary>A new, empty staging folder inside the home (same file system, so commits are renames).</summary>
    public string NewStaging()
    {
        var path = System.IO.Path.Combine(StagingRoot(), Guid.NewGuid().ToString("N"));
        CreateDirectory(path);
        return path;
    }

    /// <summary>
    /// Removes what interrupted operations left: staging folders, and the plugin folders the journal names
    /// that the lock file does not pin. Runs under the install lock, so nothing found here belongs to a live
    /// operation; folders no operation created are never touched.
    /// </summary>
    public void RemoveLeftovers(PlatformsLock lockFile)
    {
        foreach (var staging in new DirectoryInfo(StagingRoot()).EnumerateDirectories().Where(d => d.LinkTarget is null))
        {
            Delete(staging.FullName);
        }

        var journal = System.IO.Path.Combine(home, JournalName);
        if (!File.Exists(journal))
        {
            return;
        }

        List<string> folders;
        try
        {
            folders = JsonSerializer.Deserialize(File.ReadAllBytes(journal), HomeJournalJsonContext.Default.ListString) ?? [];
        }
        catch (JsonException)
        {
            folders = []; // a journal cut short by a crash names nothing yet touched
        }

        var pinned = lockFile.Plugins.Select(p => PlatformsLock.RelativePluginDirectory(p.Id, p.Version)).ToHashSet(StringComparer.Ordinal);
        foreach (var folder in folders.Where(f => !pinned.Contains(f)))
        {
            DeletePluginFolder(folder);
        }

        ClearJournal();
    }

    /// <summary>Deletes a plugin folder ('id/version') this installer wrote, and its id folder when that is left empty.</summary>
    public void DeletePluginFolder(string relative)
    {
        // Journal entries are the installer's own, but the file lives in the home: take only plain id/version names.
        if (relative.Split('/') is not [var id, var version] || !PlatformsLockCheck.IsPackageId(id) || !PlatformsLockCheck.IsVersion(version))
        {
            return;
        }

        var idFolder = System.IO.Path.Combine(home, id);
        var folder = System.IO.Path.Combine(idFolder, version);
        if (new DirectoryInfo(idFolder).LinkTarget is not null || new DirectoryInfo(folder).LinkTarget is not null)
        {
            return; // the installer writes no links: whatever this is, it is not ours to delete
        }

        Delete(folder);
        DeleteIfEmpty(idFolder);
    }

    /// <summary>
    /// Moves a staged plugin folder to its place. A folder already there is moved into
    /// <paramref name="staging"/> and returned so the caller can put it back if the commit fails.
    /// </summary>
    public static string? Place(string staged, string target, string staging)
    {
        CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        string? displaced = null;
        if (Directory.Exists(target))
        {
            displaced = System.IO.Path.Combine(staging, "displaced");
            Directory.Move(target, displaced);
        }

        Directory.Move(staged, target);
        return displaced;
    }

    public void Delete(string path)
    {
        if (!Directory.Exists(path))
        {
            return;
        }

        Directory.Delete(path, recursive: true);
        InstallerLog.RemovedLeftover(logger, path);
    }

    public static void DeleteIfEmpty(string path)
    {
        if (Directory.Exists(path) && !Directory.EnumerateFileSystemEntries(path).Any())
        {
            Directory.Delete(path);
        }
    }

    /// <summary>The error for a write into the home that failed: a full disk, an I/O error, a permission.</summary>
    public static PluginInstallException WriteFailed(string home, Exception e) =>
        new(PluginInstallError.HomeWriteFailed,
            $"Writing to the plugins home '{home}' failed: {e.Message.TrimEnd('.')}. Nothing was changed. " +
            $"If the disk is full, free space on the file system that holds it (df -h '{home}') and retry.", e);

    /// <summary>Makes a staged plugin folder writable by its owner only (rwxr-xr-x, rw-r--r--), whatever the umask.</summary>
    public static void RestrictPermissions(string directory)
    {
        SetMode(directory, DirectoryMode);
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories))
        {
            SetMode(entry, Directory.Exists(entry) ? DirectoryMode : FileMode644);
        }
    }

    /// <summary>
    /// True for an unmarked folder that holds only the installer's own files (a home another operation is
    /// setting up this moment), or those plus a valid lock file and the plugin folders it pins.
    /// </summary>
    private bool HoldsOnlyAHome()
    {
        var names = Directory.EnumerateFileSystemEntries(home).Select(System.IO.Path.GetFileName).ToList();
        if (names.All(name => OwnNames.Contains(name, StringComparer.Ordinal)))
        {
            return true;
        }

        PlatformsLock? lockFile;
        try
        {
            lockFile = PlatformsLock.Read(home);
        }
        catch (Exception e) when (e is InvalidPlatformsLockException or IOException or UnauthorizedAccessException)
        {
            return false;
        }

        var expected = (lockFile?.Plugins ?? []).Select(p => p.Id.ToLowerInvariant()).Concat(OwnNames).ToHashSet(StringComparer.Ordinal);
        return lockFile is not null && names.All(name => name is not null && expected.Contains(name));
    }

    private string StagingRoot()
    {
        var path = System.IO.Path.Combine(home, StagingName);
        CreateDirectory(path);
        return path;
    }

    private void CreateFile(string name)
    {
        var path = System.IO.Path.Combine(home, name);
        if (!File.Exists(path))
        {
            using (new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite))
            {
            }

            SetMode(path, FileMode644);
        }
    }

    private static void CreateDirectory(string path)
    {
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path);
            SetMode(path, DirectoryMode);
        }
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }
}
