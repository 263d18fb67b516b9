using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// Where a verified native library is loaded from. On Linux: a sealed memory file (<c>memfd_create</c>, then
/// writes, shrinking and growing forbidden), loaded through <c>/proc/self/fd</c>, so no one can change the
/// bytes between the check and <c>dlopen</c>, and nothing is written to disk. Elsewhere: a copy in a private
/// folder (mode 0700) of this process.
/// </summary>
internal static partial class VerifiedNativeCopy
{
    private const uint MemfdCloexec = 1;
    private const uint MemfdAllowSealing = 2;
    private const int AddSeals = 1033; // F_ADD_SEALS
    private const int SealAll = 1 | 2 | 4 | 8; // F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE

    private static readonly Lazy<string> PrivateFolder = new(() => Directory.CreateTempSubdirectory("sgl-native-").FullName);

    /// <summary>Creates the copy, filled by <paramref name="write"/>, and returns the path to load it from.</summary>
    public static string Create(string fileName, Action<Stream> write)
    {
        var fd = OperatingSystem.IsLinux() ? MemoryFile("sgl-verified:" + fileName) : -1;
        if (fd >= 0)
        {
            // The descriptor stays open for the life of the process: the library is mapped from it.
            try
            {
                using var stream = new FileStream(new SafeFileHandle(fd, ownsHandle: false), FileAccess.ReadWrite);
                write(stream);
            }
            catch
            {
                new SafeFileHandle(fd, ownsHandle: true).Dispose();
                throw;
            }

            // Sealing fails only on kernels without seals; the bytes were verified as they were written either way.
            _ = LibC.fcntl(fd, AddSeals, SealAll);
            return $"/proc/self/fd/{fd}";
        }

        var path = Path.Combine(PrivateFolder.Value, Guid.NewGuid().ToString("N"), fileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            write(file);
        }

        return path;
    }

    /// <summary>A sealable memory file's descriptor, or -1 where the C library has none.</summary>
    private static int MemoryFile(string name)
    {
        try
        {
            return LibC.memfd_create(name, MemfdCloexec | MemfdAllowSealing);
        }
        catch (EntryPointNotFoundException)
        {
            return -1;
        }
    }

    private static partial class LibC
    {
        [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
        public static partial int memfd_create(string name, uint flags);

        [LibraryImport("libc")]
        public static partial int fcntl(int fd, int command, int argument);
    }
}
