using System.Globalization;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// Ownership and mode checks in the manner of OpenSSH's StrictModes. The plugins home, its lock file and
/// every plugin folder and file must be owned by the current user or root and not writable by group or
/// others, and so must every real parent folder of the home and of the lock file, found by resolving
/// symbolic links: whoever can write a parent can rename the home away and put their own in its place.
/// A world-writable parent with the sticky bit (as <c>/tmp</c>) is safe, since no one can rename another
/// user's entries there. Inside a plugin folder symbolic links are refused: the installer writes none.
/// Every problem names the path and the chmod or chown that fixes it.
/// </summary>
/// <param name="currentUserId">The uid whose files are trusted besides root's; a parameter so that tests running as root can judge as another user.</param>
internal sealed class HomeTrust(uint currentUserId)
{
    private const UnixFileMode WritableByOthers = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    /// <summary>Judges as the user this process runs as.</summary>
    public static HomeTrust ForCurrentUser() => new(OperatingSystem.IsWindows() ? 0 : UnixFileStatus.EffectiveUserId());

    /// <summary>The home, resolved through symbolic links: the real folder and each real parent up to the root; null when it is safe or absent.</summary>
    public string? CheckHome(string home)
    {
        if (OperatingSystem.IsWindows() || UnixFileStatus.RealPath(home) is not { } real)
        {
            return null;
        }

        return Check(real, isParent: false) ?? CheckParents(real);
    }

    /// <summary>Where a home that does not exist yet would be created: its nearest existing ancestor and that one's parents.</summary>
    public string? CheckPlaceFor(string home)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var existing = Path.GetDirectoryName(Path.GetFullPath(home));
        while (existing is not null && UnixFileStatus.RealPath(existing) is null)
        {
            existing = Path.GetDirectoryName(existing);
        }

        return existing is null || UnixFileStatus.RealPath(existing) is not { } real ? null : Check(real, isParent: true) ?? CheckParents(real);
    }

    /// <summary>
    /// The lock file. It may be a symbolic link (to a copy kept under change control); then the file it
    /// resolves to and that file's real parents are judged.
    /// </summary>
    public string? CheckLockFile(string path)
    {
        if (OperatingSystem.IsWindows() || UnixFileStatus.RealPath(path) is not { } real)
        {
            return null;
        }

        return Check(real, isParent: false) ?? CheckParents(real);
    }

    /// <summary>A folder or file inside the home: never a symbolic link, owned by the current user or root, not writable by group or others.</summary>
    public string? CheckOwnedAndPrivate(string path) => OperatingSystem.IsWindows() ? null : Check(path, isParent: false);

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private string? CheckParents(string realPath)
    {
        for (var parent = Path.GetDirectoryName(realPath); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            if (Check(parent, isParent: true) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private string? Check(string path, bool isParent)
    {
        var status = UnixFileStatus.Of(path);
        if (status is null)
        {
            return null; // gone: the caller's own checks report a missing file
        }

        if (status.IsSymbolicLink)
        {
            return $"'{path}' is a symbolic link, and a plugins home holds only the folders and files the installer wrote. " +
                $"Remove it ({Shell("rm", path)}) and run 'sgl platforms restore'.";
        }

        if (status.OwnerId is { } owner && owner != currentUserId && owner != 0)
        {
            return $"'{path}' is owned by uid {owner.ToString(CultureInfo.InvariantCulture)}, not by you (uid {currentUserId.ToString(CultureInfo.InvariantCulture)}) or root, " +
                $"so that user could change plugin code that runs as you. If you trust what it holds, fix it with {Shell($"chown {currentUserId.ToString(CultureInfo.InvariantCulture)}", path)} " +
                "(otherwise remove it and install the plugins again).";
        }

        var stickyDirectory = isParent && status.IsDirectory && (status.Mode & UnixFileMode.StickyBit) != 0;
        if ((status.Mode & WritableByOthers) != 0 && !stickyDirectory)
        {
            return $"'{path}' is writable by group or others (mode {Convert.ToString((int)status.Mode & 0xFFF, 8).PadLeft(4, '0')}), " +
                $"so another user could change plugin code that runs as you. Fix it with {Shell("chmod go-w", path)}.";
        }

        return null;
    }

    /// <summary>A command line with the path single-quoted for a POSIX shell.</summary>
    private static string Shell(string command, string path) => $"{command} '{path.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
