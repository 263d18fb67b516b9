using System.Reflection;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// An installed plugin as it was verified against its SHA-512 hashes. The bytes of its managed assemblies
/// (and their symbols) are kept in memory as they were hashed, and its native libraries are held open (an
/// open file keeps its content when the folder is replaced or deleted; a load hashes it again), so what
/// loads later is exactly what matched, even if the folder is changed, upgraded or deleted meanwhile.
/// Other files are hashed as a stream and not kept.
/// </summary>
internal sealed class VerifiedPlugin
{
    private const string LockFileName = "platforms.lock.json";

    private readonly Dictionary<string, byte[]> _images = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (SafeFileHandle Handle, string Sha512)> _natives = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _hashes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _loadedNatives = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    private VerifiedPlugin(string directory) => Directory = directory;

    /// <summary>The folder the plugin was verified in.</summary>
    public string Directory { get; }

    /// <summary>The files a load can use (assemblies, symbols, native libraries) with their SHA-512, relative to the folder.</summary>
    public IReadOnlyDictionary<string, string> LoadableFiles => _hashes;

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

    /// <summary>The verified image of an assembly the plugin ships (a satellite assembly under its culture's folder), or null.</summary>
    public byte[]? Image(AssemblyName name) =>
        name.Name is not { } simple ? null
        : name.CultureName is { Length: > 0 } culture && _images.TryGetValue($"{culture}/{simple}.dll", out var satellite) ? satellite
        : _images.GetValueOrDefault($"{simple}.dll");

    /// <summary>The verified symbols (.pdb) beside an assembly, or null.</summary>
    public byte[]? Symbols(string simpleName) => _images.GetValueOrDefault($"{simpleName}.pdb");

    /// <summary>
    /// A path to load a native library the plugin ships from: a sealed in-memory copy of the verified bytes
    /// (or a private copy where the OS has no sealed memory files), or null when the plugin has no such library.
    /// </summary>
    /// <exception cref="FileLoadException">The library no longer matches the hash it was verified with.</exception>
    public string? NativeLibraryPath(string name)
    {
        var match = NativeNameVariants(name).Select(variant => _natives.Keys.FirstOrDefault(path => Path.GetFileName(path) == variant)).FirstOrDefault(path => path is not null);
        if (match is null)
        {
            return null;
        }

        lock (_gate)
        {
            if (!_loadedNatives.TryGetValue(match, out var path))
            {
                var (handle, sha512) = _natives[match];
                path = VerifiedNativeCopy.Create(Path.GetFileName(match), stream => CopyVerified(handle, sha512, Path.Combine(Directory, match), stream));
                _loadedNatives[match] = path;
            }

            return path;
        }
    }

    /// <summary>
    /// Writes every loadable file, as verified, into a new private folder (mode 0700) for a child process
    /// to load from; returns the folder, which the caller deletes.
    /// </summary>
    public string WritePrivateCopy()
    {
        var folder = System.IO.Directory.CreateTempSubdirectory("sgl-verified-").FullName;
        foreach (var relative in _hashes.Keys)
        {
            var target = Path.Combine(folder, relative);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write);
            if (_images.TryGetValue(relative, out var image))
            {
                file.Write(image);
            }
            else
            {
                var (handle, sha512) = _natives[relative];
                CopyVerified(handle, sha512, Path.Combine(Directory, relative), file);
            }
        }

        return folder;
    }

    /// <summary>Base64 SHA-512 of a file, the form the lock file records.</summary>
    public static string Sha512Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToBase64String(SHA512.HashData(stream));
    }

    private static bool IsNative(string relative) => relative.StartsWith("runtimes/", StringComparison.Ordinal) && relative.Contains("/native/", StringComparison.Ordinal);

    /// <summary>Symbols, or a managed assembly (judged from its PE header, so a large non-assembly file is never read into memory).</summary>
    private static bool IsImage(string path, string relative)
    {
        if (IsNative(relative))
        {
            return false;
        }

        if (relative.EndsWith(".pdb", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!relative.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            return pe.PEHeaders.CorHeader is not null;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

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

    private static void CopyVerified(SafeFileHandle handle, string sha512, string path, Stream destination)
    {
        if (!string.Equals(HashOf(handle, destination), sha512, StringComparison.Ordinal))
        {
            throw new FileLoadException($"'{path}' changed after it was verified against {LockFileName}; it was not loaded. Run 'sgl platforms restore' and restart.", path);
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

    /// <summary>Hashes one file and keeps what a load will need: an image's bytes, a native library's open handle.</summary>
    private bool Keep(string path, string relative, string sha512)
    {
        if (IsImage(path, relative))
        {
            var bytes = File.ReadAllBytes(path);
            if (!string.Equals(Convert.ToBase64String(SHA512.HashData(bytes)), sha512, StringComparison.Ordinal))
            {
                return false;
            }

            _images[relative] = bytes;
            _hashes[relative] = sha512;
            return true;
        }

        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var matches = string.Equals(HashOf(handle, copy: null), sha512, StringComparison.Ordinal);
        if (matches && IsNative(relative))
        {
            _natives[relative] = (handle, sha512);
            _hashes[relative] = sha512;
        }
        else
        {
            handle.Dispose();
        }

        return matches;
    }

    /// <summary>Closes the native libraries' handles and drops the images, for a caller that only wanted the check.</summary>
    public void Release()
    {
        foreach (var (handle, _) in _natives.Values)
        {
            handle.Dispose();
        }

        _natives.Clear();
        _images.Clear();
    }
}
