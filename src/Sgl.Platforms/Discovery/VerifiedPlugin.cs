using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// An installed plugin as it was verified against its SHA-512 hashes. Every file a load can use
/// (assemblies, their symbols, native libraries) stays open as it was hashed: an open file keeps its
/// content when the folder is replaced by an upgrade or deleted. A load reads the file from that handle
/// and checks the hash again, so what loads is exactly what matched; a file rewritten in place meanwhile
/// (which only its owner or root can do) is refused. Nothing is kept in memory until it is loaded.
/// </summary>
internal sealed class VerifiedPlugin
{
    private const string LockFileName = "platforms.lock.json";

    private readonly Dictionary<string, (SafeFileHandle Handle, string Sha512)> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _loadedNatives = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    private VerifiedPlugin(string directory) => Directory = directory;

    /// <summary>The folder the plugin was verified in.</summary>
    public string Directory { get; }

    /// <summary>The files a load can use (assemblies, symbols, native libraries) with their SHA-512, relative to the folder.</summary>
    public IReadOnlyDictionary<string, string> LoadableFiles => _files.ToDictionary(f => f.Key, f => f.Value.Sha512, StringComparer.Ordinal);

    /// <summary>
    /// Verifies <paramref name="directory"/> against <paramref name="expected"/> (relative path → base64 SHA-512):
    /// every expected file is there with its hash, and no other file is. With <paramref name="trust"/>, every
    /// folder and file must also pass the ownership and mode checks.
    /// </summary>
    /// <returns>The verified plugin, or what is wrong and how to fix it.</returns>
    public static (VerifiedPlugin? Plugin, string? Problem) Capture(string directory, IReadOnlyDictionary<string, string> expected, HomeTrust? trust)
    {
        var plugin = new VerifiedPlugin(directory);
        var remaining = new Dictionary<string, string>(expected, StringComparer.Ordinal);
        try
        {
            var problem = plugin.Walk(directory, "", remaining, trust);
            if (problem is null && remaining.Count > 0)
            {
                problem = $"'{Path.Combine(directory, remaining.Keys.Order(StringComparer.Ordinal).First())}' is missing. Run 'sgl platforms restore' to reinstall the pinned package.";
            }

            if (problem is not null)
            {
                plugin.Release();
                return (null, problem);
            }

            return (plugin, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            plugin.Release();
            return (null, $"'{directory}' could not be read ({e.Message}). Run 'sgl platforms restore' to reinstall the pinned package.");
        }
    }

    /// <summary>True when the plugin ships an assembly of that name (a satellite assembly under its culture's folder).</summary>
    public bool HasImage(AssemblyName name) => ImagePath(name) is not null;

    /// <summary>The verified bytes of an assembly the plugin ships, or null.</summary>
    /// <exception cref="FileLoadException">The file was rewritten since it was verified.</exception>
    public byte[]? Image(AssemblyName name) => ImagePath(name) is { } relative ? ReadVerified(relative) : null;

    /// <summary>The verified symbols (.pdb) beside an assembly, or null.</summary>
    /// <exception cref="FileLoadException">The file was rewritten since it was verified.</exception>
    public byte[]? Symbols(string simpleName) => _files.ContainsKey($"{simpleName}.pdb") ? ReadVerified($"{simpleName}.pdb") : null;

    /// <summary>
    /// A path to load a native library the plugin ships from: a sealed in-memory copy of the verified bytes
    /// (or a private copy where the OS has no sealed memory files), or null when the plugin has no such library.
    /// </summary>
    /// <exception cref="FileLoadException">The library was rewritten since it was verified.</exception>
    public string? NativeLibraryPath(string name)
    {
        var match = NativeNameVariants(name)
            .Select(variant => _files.Keys.FirstOrDefault(path => IsNative(path) && Path.GetFileName(path) == variant))
            .FirstOrDefault(path => path is not null);
        if (match is null)
        {
            return null;
        }

        lock (_gate)
        {
            if (!_loadedNatives.TryGetValue(match, out var path))
            {
                path = VerifiedNativeCopy.Create(Path.GetFileName(match), stream => CopyVerified(match, stream));
                _loadedNatives[match] = path;
            }

            return path;
        }
    }

    /// <summary>
    /// Writes every loadable file, as verified, into a new private folder (mode 0700) for a child process
    /// to load from; returns the folder, which the caller deletes.
    /// </summary>
    /// <exception cref="FileLoadException">A file was rewritten since it was verified.</exception>
    public string WritePrivateCopy()
    {
        var folder = System.IO.Directory.CreateTempSubdirectory("sgl-verified-").FullName;
        try
        {
            foreach (var relative in _files.Keys)
            {
                var target = Path.Combine(folder, relative);
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                using var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write);
                CopyVerified(relative, file);
            }

            return folder;
        }
        catch
        {
            System.IO.Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>Closes the files, for a caller that only wanted the check or will load nothing more.</summary>
    public void Release()
    {
        lock (_gate)
        {
            foreach (var (handle, _) in _files.Values)
            {
                handle.Dispose();
            }

            _files.Clear();
        }
    }

    /// <summary>Base64 SHA-512 of a file, the form the lock file records.</summary>
    public static string Sha512Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToBase64String(SHA512.HashData(stream));
    }

    private static bool IsNative(string relative) => relative.StartsWith("runtimes/", StringComparison.Ordinal) && relative.Contains("/native/", StringComparison.Ordinal);

    private static bool IsLoadable(string relative) =>
        IsNative(relative) || relative.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || relative.EndsWith(".pdb", StringComparison.OrdinalIgnoreCase);

    /// <summary>The file names the OS loader would try for a DllImport name, in its order.</summary>
    private static IEnumerable<string> NativeNameVariants(string name)
    {
        if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal))
        {
            yield break;
        }

        var suffix = OperatingSystem.IsWindows() ? ".dll" : OperatingSystem.IsMacOS() ? ".dylib" : ".so";
        var hasSuffix = name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) || name.Contains(".so.", StringComparison.Ordinal);
        if (!hasSuffix)
        {
            yield return OperatingSystem.IsWindows() ? name + suffix : "lib" + name + suffix;
            yield return name + suffix;
        }

        yield return name;
        if (!OperatingSystem.IsWindows())
        {
            yield return "lib" + name;
        }
    }

    /// <summary>Base64 SHA-512 of what <paramref name="handle"/> holds from its start, copying it to <paramref name="copy"/> on the way.</summary>
    private static string HashOf(SafeFileHandle handle, Stream? copy)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        var buffer = new byte[1 << 20];
        long offset = 0;
        int read;
        while ((read = RandomAccess.Read(handle, buffer, offset)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            copy?.Write(buffer, 0, read);
            offset += read;
        }

        return Convert.ToBase64String(hash.GetHashAndReset());
    }

    private string? ImagePath(AssemblyName name)
    {
        if (name.Name is not { } simple)
        {
            return null;
        }

        var satellite = name.CultureName is { Length: > 0 } culture ? $"{culture}/{simple}.dll" : null;
        lock (_gate)
        {
            return satellite is not null && _files.ContainsKey(satellite) ? satellite
                : _files.ContainsKey($"{simple}.dll") ? $"{simple}.dll"
                : null;
        }
    }

    private byte[] ReadVerified(string relative)
    {
        using var bytes = new MemoryStream();
        CopyVerified(relative, bytes);
        return bytes.ToArray();
    }

    /// <summary>Copies a held file to <paramref name="destination"/>, hashing it again on the way.</summary>
    private void CopyVerified(string relative, Stream destination)
    {
        (SafeFileHandle Handle, string Sha512) file;
        lock (_gate)
        {
            if (!_files.TryGetValue(relative, out file))
            {
                throw new FileLoadException($"'{Path.Combine(Directory, relative)}' is no longer held for loading (its candidate was not selected).", relative);
            }
        }

        if (!string.Equals(HashOf(file.Handle, destination), file.Sha512, StringComparison.Ordinal))
        {
            var path = Path.Combine(Directory, relative);
            throw new FileLoadException($"'{path}' was rewritten after it was verified against {LockFileName}, so it was not loaded. Run 'sgl platforms restore' and restart.", path);
        }
    }

    private string? Walk(string directory, string prefix, Dictionary<string, string> remaining, HomeTrust? trust)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (trust?.CheckOwnedAndPrivate(entry.FullName) is { } untrusted)
            {
                return untrusted;
            }

            var relative = prefix + entry.Name;
            if (entry is DirectoryInfo && entry.LinkTarget is null)
            {
                if (Walk(entry.FullName, relative + "/", remaining, trust) is { } problem)
                {
                    return problem;
                }

                continue;
            }

            if (!remaining.Remove(relative, out var sha512))
            {
                return $"'{entry.FullName}' is not one of the files {LockFileName} pins. Run 'sgl platforms restore' to put back exactly the installed files.";
            }

            if (!Keep(entry.FullName, relative, sha512))
            {
                return $"'{entry.FullName}' does not match the SHA-512 in {LockFileName}; it was changed after install. Run 'sgl platforms restore' to reinstall the pinned package.";
            }
        }

        return null;
    }

    /// <summary>Hashes one file as a stream and, when a load may need it, keeps it open.</summary>
    private bool Keep(string path, string relative, string sha512)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var matches = string.Equals(HashOf(handle, copy: null), sha512, StringComparison.Ordinal);
        if (matches && IsLoadable(relative))
        {
            _files[relative] = (handle, sha512);
        }
        else
        {
            handle.Dispose();
        }

        return matches;
    }
}
