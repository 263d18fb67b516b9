using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// Keeps readers and writers of a plugins home consistent. A start holds it shared while it reads the lock
/// file and the plugin files it verifies (it keeps what it verified, so it needs nothing from the home
/// afterwards); an install, removal or restore holds it exclusively while it moves plugin folders and
/// replaces the lock file. A start therefore sees either the old home or the new one, whole. It is an
/// advisory <c>flock</c> on <c>.commit.lock</c>, released by the OS if the holder dies.
/// </summary>
internal sealed partial class HomeCommitLock : IDisposable
{
    public const string FileName = ".commit.lock";

    private const int LockShared = 1;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int WouldBlockLinux = 11;
    private const int WouldBlockMac = 35;

    private readonly SafeFileHandle? _handle;

    private HomeCommitLock(SafeFileHandle? handle) => _handle = handle;

    /// <summary>
    /// Takes the lock shared, waiting while a writer commits. A home without the lock file (none written
    /// yet) needs no lock. Returns null when a writer held it for longer than <paramref name="timeout"/>.
    /// </summary>
    public static HomeCommitLock? TakeShared(string home, TimeSpan timeout)
    {
        var path = Path.Combine(home, FileName);
        if (OperatingSystem.IsWindows() || !File.Exists(path))
        {
            return new HomeCommitLock(null);
        }

        return Take(() => File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), LockShared, timeout);
    }

    /// <summary>Takes the lock exclusively (creating its file), waiting for readers to finish; null after <paramref name="timeout"/>.</summary>
    public static HomeCommitLock? TakeExclusive(string home, TimeSpan timeout)
    {
        var path = Path.Combine(home, FileName);
        if (OperatingSystem.IsWindows())
        {
            return new HomeCommitLock(null);
        }

        return Take(() => File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete), LockExclusive, timeout);
    }

    public void Dispose() => _handle?.Dispose();

    private static HomeCommitLock? Take(Func<SafeFileHandle> open, int operation, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            SafeFileHandle? handle = null;
            try
            {
                // .NET itself may take a shared flock when opening; the explicit call below is what counts.
                handle = open();
                if (LibC.flock((int)handle.DangerousGetHandle(), operation | LockNonBlocking) == 0)
                {
                    return new HomeCommitLock(handle);
                }

                if (Marshal.GetLastPInvokeError() is not (WouldBlockLinux or WouldBlockMac))
                {
                    return new HomeCommitLock(handle); // a file system without flock: nothing to coordinate with
                }
            }
            catch (IOException)
            {
                // Opening failed because .NET's own lock found a holder: the same as EWOULDBLOCK.
            }

            handle?.Dispose();
            if (waited.Elapsed >= timeout)
            {
                return null;
            }

            Thread.Sleep(10);
        }
    }

    private static partial class LibC
    {
        [LibraryImport("libc", SetLastError = true)]
        public static partial int flock(int fd, int operation);
    }
}
