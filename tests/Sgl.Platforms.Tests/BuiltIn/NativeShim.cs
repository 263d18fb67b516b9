using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;

namespace Sgl.Platforms.Tests.BuiltIn;

/// <summary>
/// Compiles a small C file into a shared library with gcc, once per test run, into its own temporary
/// folder (so that folder can go first on LD_LIBRARY_PATH for a child process, or its absolute path can
/// be loaded in-process). Stands in for vendor libraries such as libnvidia-ml.so.1 on machines without the hardware.
/// </summary>
internal static class NativeShim
{
    private static readonly ConcurrentDictionary<string, Lazy<NativeShimBuild>> Builds = new(StringComparer.Ordinal);
    private static readonly string BuildRoot = Path.Combine(Path.GetTempPath(), $"sgl-native-shims-{Environment.ProcessId}");

    static NativeShim()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(BuildRoot);
    }

    /// <summary>Builds <paramref name="sourceFile"/> (relative to the test output folder, or absolute) into <paramref name="libraryFileName"/>.</summary>
    /// <param name="sourceFile">The C file, for example <c>BuiltIn/Cuda/nvml_shim.c</c>.</param>
    /// <param name="libraryFileName">The file name the library must have, for example <c>libnvidia-ml.so.1</c>.</param>
    public static NativeShimBuild Build(string sourceFile, string libraryFileName) =>
        Builds.GetOrAdd(sourceFile + "|" + libraryFileName, _ => new Lazy<NativeShimBuild>(() => Compile(sourceFile, libraryFileName))).Value;

    private static NativeShimBuild Compile(string sourceFile, string libraryFileName)
    {
        var source = Path.IsPathRooted(sourceFile) ? sourceFile : Path.Combine(AppContext.BaseDirectory, sourceFile);
        if (!File.Exists(source))
        {
            return NativeShimBuild.Failed($"The shim source {source} is missing from the test output.");
        }

        var directory = Path.Combine(BuildRoot, Path.GetFileNameWithoutExtension(source));
        Directory.CreateDirectory(directory);
        var library = Path.Combine(directory, libraryFileName);
        var start = new ProcessStartInfo("gcc")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-shared", "-fPIC", "-O1", "-o", library, source })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var gcc = Process.Start(start)!;
            var errors = gcc.StandardError.ReadToEndAsync();
            gcc.StandardOutput.ReadToEnd();
            gcc.WaitForExit();
            return gcc.ExitCode == 0
                ? NativeShimBuild.Built(library)
                : NativeShimBuild.Failed($"gcc could not compile {source}: {errors.Result}");
        }
        catch (Win32Exception)
        {
            return NativeShimBuild.Failed($"gcc is not installed, so the native shim {libraryFileName} cannot be built; install gcc to run this test.");
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the OS temp cleaner removes what is left.
        }
    }
}

/// <summary>The outcome of <see cref="NativeShim.Build(string, string)"/>.</summary>
/// <param name="LibraryPath">The built library's absolute path, or null.</param>
/// <param name="Error">Why it was not built, or null.</param>
internal sealed record NativeShimBuild(string? LibraryPath, string? Error)
{
    /// <summary>The folder holding the library (to put first on LD_LIBRARY_PATH).</summary>
    public string? Directory => LibraryPath is null ? null : Path.GetDirectoryName(LibraryPath);

    /// <summary>The library path, or skips the calling test with the reason it could not be built.</summary>
    public string PathOrSkip()
    {
        if (LibraryPath is null)
        {
            Assert.Skip(Error ?? "The native shim could not be built.");
        }

        return LibraryPath;
    }

    /// <summary>A built shim.</summary>
    public static NativeShimBuild Built(string path) => new(path, null);

    /// <summary>A shim that could not be built.</summary>
    public static NativeShimBuild Failed(string error) => new(null, error);
}
