using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// The "Installed" discovery source: plugins that <c>sgl platforms install</c> put under
/// SGL_PLATFORMS_HOME. Each is checked against <c>platforms.lock.json</c> (every file's SHA-512, no
/// extra files, no folder or file writable by group or others) before its metadata is read, and a plugin
/// that fails the check is refused by its platform names.
/// </summary>
internal static partial class InstalledPluginSource
{
    /// <summary>An installed plugin assembly to inspect, or a candidate already refused.</summary>
    internal sealed record Found(PluginAssemblyLocation? Location, PlatformCandidate? Refused);

    public static IEnumerable<Found> Find(string platformsHome)
    {
        PlatformsLock? lockFile;
        try
        {
            lockFile = PlatformsLock.Read(platformsHome);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return [new Found(null, Refused(PlatformsLock.FileName, Path.Combine(platformsHome, PlatformsLock.FileName), "", CandidateStatus.Failed,
                $"The installed plugins' lock file cannot be read: {e.Message}. No installed plugin was loaded. " +
                "Fix or replace the file (a copy from a good node, then 'sgl platforms restore'), or delete it and reinstall the plugins."))];
        }

        if (lockFile is null)
        {
            return [];
        }

        var found = new List<Found>();
        foreach (var plugin in lockFile.Plugins)
        {
            var directory = PlatformsLock.PluginDirectory(platformsHome, plugin.Id, plugin.Version);
            var problem = Verify(platformsHome, plugin);
            if (problem is not null)
            {
                var names = plugin.Platforms.Count > 0 ? plugin.Platforms : [plugin.Id];
                found.AddRange(names.Select(name => new Found(null, Refused(name, directory, plugin.Version, CandidateStatus.Rejected,
                    $"Installed plugin {plugin.Id} {plugin.Version} refused: {problem}"))));
                continue;
            }

            found.AddRange(plugin.Assemblies.Select(assembly => new Found(
                new PluginAssemblyLocation(Path.GetFileNameWithoutExtension(assembly), Path.Combine(directory, assembly), Isolated: true), null)));
        }

        return found;
    }

    /// <summary>
    /// Checks an installed plugin against its lock entry; returns what is wrong and how to fix it, or
    /// null when the folder holds exactly the locked files.
    /// </summary>
    public static string? Verify(string platformsHome, LockedPlugin plugin)
    {
        if (!SafeSegment().IsMatch(plugin.Id) || !SafeSegment().IsMatch(plugin.Version) || plugin.Assemblies.Concat(plugin.Files.Select(f => f.Path)).Any(p => !IsSafeRelativePath(p)))
        {
            return $"its entry in {PlatformsLock.FileName} names a path outside its folder. Remove the entry, or run 'sgl platforms install {plugin.Id}' again.";
        }

        var directory = PlatformsLock.PluginDirectory(platformsHome, plugin.Id, plugin.Version);
        if (!Directory.Exists(directory))
        {
            return $"its folder '{directory}' is missing. Run 'sgl platforms restore' to reinstall what {PlatformsLock.FileName} pins.";
        }

        var writable = WritableByOthers(Path.GetDirectoryName(directory)!) ?? WritableByOthers(directory);
        var expected = plugin.Files.ToDictionary(f => f.Path, f => f.Sha512, StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories))
        {
            writable ??= WritableByOthers(file);
            if (Directory.Exists(file))
            {
                continue;
            }

            var relative = Path.GetRelativePath(directory, file).Replace(Path.DirectorySeparatorChar, '/');
            if (!expected.Remove(relative, out var sha512))
            {
                return $"'{file}' is not one of the files {PlatformsLock.FileName} pins. Run 'sgl platforms restore' to put back exactly the installed files.";
            }

            if (!string.Equals(Sha512Of(file), sha512, StringComparison.Ordinal))
            {
                return $"'{file}' does not match the SHA-512 in {PlatformsLock.FileName}; it was changed after install. Run 'sgl platforms restore' to reinstall the pinned package.";
            }
        }

        if (expected.Count > 0)
        {
            return $"'{Path.Combine(directory, expected.Keys.First())}' is missing. Run 'sgl platforms restore' to reinstall the pinned package.";
        }

        return writable is null
            ? null
            : $"'{writable}' is writable by group or others, so another user could replace the plugin's code. Run 'chmod -R go-w {directory}' (or 'sgl platforms restore').";
    }

    /// <summary>Base64 SHA-512 of a file, the form the lock file records.</summary>
    public static string Sha512Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToBase64String(SHA512.HashData(stream));
    }

    /// <summary>True for a '/'-separated relative path that stays inside its folder.</summary>
    public static bool IsSafeRelativePath(string path) =>
        path.Length > 0 && !path.StartsWith('/') && !path.Contains('\\', StringComparison.Ordinal) && !Path.IsPathRooted(path)
        && path.Split('/').All(segment => segment.Length > 0 && segment is not "." and not "..");

    private static string? WritableByOthers(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        return (File.GetUnixFileMode(path) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0 ? path : null;
    }

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

    // Package ids and normalized versions: letters, digits, '.', '-', '_', '+', never "." or ".." alone.
    [GeneratedRegex(@"^(?!\.{1,2}$)[A-Za-z0-9._+-]{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex SafeSegment();
}
