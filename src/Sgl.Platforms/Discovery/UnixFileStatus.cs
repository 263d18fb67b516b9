using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Sgl.Platforms.Discovery;

/// <summary>What the ownership checks need of a file, read with <c>lstat</c> semantics (a symbolic link is not followed).</summary>
/// <param name="OwnerId">The owner's uid, or null where the OS does not say (only Linux reports it here).</param>
/// <param name="Mode">The permission bits, setuid/setgid and sticky included.</param>
/// <param name="IsDirectory">A directory.</param>
/// <param name="IsRegularFile">A regular file.</param>
/// <param name="IsSymbolicLink">A symbolic link.</param>
internal sealed partial record UnixFileStatus(uint? OwnerId, UnixFileMode Mode, bool IsDirectory, bool IsRegularFile, bool IsSymbolicLink)
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxSize = 256; // struct statx is 256 bytes on every architecture
    private const int StatxUidOffset = 20;
    private const int StatxModeOffset = 28;
    private const int TypeMask = 0xF000;
    private const int TypeDirectory = 0x4000;
    private const int TypeRegular = 0x8000;
    private const int TypeSymbolicLink = 0xA000;

    private static bool StatxAvailable { get; set; } = true;

    /// <summary>The effective uid of this process: the user whose plugins these are.</summary>
    [UnsupportedOSPlatform("windows")]
    public static uint EffectiveUserId() => LibC.geteuid();

    /// <summary>Reads the status of <paramref name="path"/> itself, or null when it does not exist.</summary>
    /// <exception cref="IOException">The OS refused to say.</exception>
    [UnsupportedOSPlatform("windows")]
    public static UnixFileStatus? Of(string path)
    {
        if (OperatingSystem.IsLinux() && StatxAvailable)
        {
            try
            {
                return OfLinux(path);
            }
            catch (EntryPointNotFoundException)
            {
                StatxAvailable = false; // a C library without statx (older musl): owners cannot be read
            }
        }

        // Elsewhere .NET reports the mode and the link but not the owner (struct stat differs per OS and architecture).
        var info = new FileInfo(path);
        if (!info.Exists && !Directory.Exists(path) && info.LinkTarget is null)
        {
            return null;
        }

        var isLink = info.LinkTarget is not null;
        var isDirectory = !isLink && Directory.Exists(path);
        return new UnixFileStatus(null, File.GetUnixFileMode(path), isDirectory, !isLink && !isDirectory, isLink);
    }

    /// <summary>The path with every symbolic link resolved (<c>realpath(3)</c>), or null when it does not exist.</summary>
    [UnsupportedOSPlatform("windows")]
    public static string? RealPath(string path)
    {
        var resolved = LibC.realpath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            LibC.free(resolved);
        }
    }

    private static unsafe UnixFileStatus? OfLinux(string path)
    {
        var buffer = stackalloc byte[StatxSize];
        if (LibC.statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is 2 or 20 // ENOENT, ENOTDIR
                ? null
                : throw new IOException($"Reading the owner and mode of '{path}' failed: {Marshal.GetPInvokeErrorMessage(errno)}.");
        }

        var uid = *(uint*)(buffer + StatxUidOffset);
        var mode = *(ushort*)(buffer + StatxModeOffset);
        var type = mode & TypeMask;
        return new UnixFileStatus(uid, (UnixFileMode)(mode & 0xFFF), type == TypeDirectory, type == TypeRegular, type == TypeSymbolicLink);
    }

    private static partial class LibC
    {
        [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static unsafe partial int statx(int dirfd, string pathname, int flags, uint mask, byte* statxbuf);

        [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
        public static partial IntPtr realpath(string path, IntPtr resolved);

        [LibraryImport("libc")]
        public static partial void free(IntPtr pointer);

        [LibraryImport("libc")]
        public static partial uint geteuid();
    }
}
