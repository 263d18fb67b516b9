using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sgl.Platforms.Discovery;

namespace Sgl.Platforms.Installer;

/// <summary>
/// The plugins home on disk: its install lock, staging area, lock file and plugin folders. Every change
/// is staged under <c>.staging</c> on the same file system and committed by renames, the lock file last,
/// so an interrupted operation leaves the previous state in force.
/// </summary>
internal sealed class HomeFolder(string home, ILogger logger)
{
    private const string InstallLockName = ".install.lock";
    private const string StagingName = ".staging";
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode FileMode644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public string Path => home;

    /// <summary>
    /// Takes the home's install lock (an exclusive OS file lock, released if the process dies), waiting
    /// while another install holds it.
    /// </summary>
    public async Task<IDisposable> LockAsync(TimeSpan timeout, CancellationToken token)
    {
        CreateDirectory(home);
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
            catch (IOException e)
            {
                throw new PluginInstallException(PluginInstallError.HomeBusy,
                    $"Another install, removal or restore into '{home}' has held '{path}' for over {timeout.TotalSeconds:0} s. Wait for it to finish and retry; the file is released automatically when that process exits.", e);
            }
        }
    }

    /// <exception cref="PluginInstallException">The lock file exists but cannot be read.</exception>
    public PlatformsLock ReadLock()
    {
        try
        {
            return PlatformsLock.Read(home) ?? new PlatformsLock();
        }
        catch (InvalidDataException e)
        {
            throw new PluginInstallException(PluginInstallError.InvalidLockFile,
                $"{e.Message}. Restore the file from version control or a good node; if it is lost, delete it and the plugin folders and install the plugins again.", e);
        }
    }

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

    /// <summary>A new, empty staging folder inside the home (same file system, so commits are renames).</summary>
    public string NewStaging()
    {
        var path = System.IO.Path.Combine(StagingRoot(), Guid.NewGuid().ToString("N"));
        CreateDirectory(path);
        return path;
    }

    /// <summary>
    /// Removes what interrupted operations left: staging folders and plugin folders the lock does not pin.
    /// Runs under the install lock, so nothing found here belongs to a live operation.
    /// </summary>
    public void RemoveLeftovers(PlatformsLock lockFile)
    {
        foreach (var staging in Directory.EnumerateDirectories(StagingRoot()))
        {
            Delete(staging);
        }

        var pinned = lockFile.Plugins.Select(p => PlatformsLock.PluginDirectory(home, p.Id, p.Version)).ToHashSet(StringComparer.Ordinal);
        foreach (var idFolder in Directory.EnumerateDirectories(home).Where(d => !System.IO.Path.GetFileName(d).StartsWith('.')))
        {
            foreach (var versionFolder in Directory.EnumerateDirectories(idFolder).Where(d => !pinned.Contains(d)))
            {
                Delete(versionFolder);
            }

            DeleteIfEmpty(idFolder);
        }
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

    /// <summary>Makes a staged plugin folder writable by its owner only (rwxr-xr-x, rw-r--r--), whatever the umask.</summary>
    public static void RestrictPermissions(string directory)
    {
        SetMode(directory, DirectoryMode);
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories))
        {
            SetMode(entry, Directory.Exists(entry) ? DirectoryMode : FileMode644);
        }
    }

    private string StagingRoot()
    {
        var path = System.IO.Path.Combine(home, StagingName);
        CreateDirectory(path);
        return path;
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
