using System.Diagnostics;

namespace Sgl.Platform.Musa.Tests;

/// <summary>
/// Builds the MTML stand-in (Shim/mtml_shim.c) with gcc into a temporary folder, once per test run,
/// in the variants the tests need. The probe takes the shim's full path: glibc reads LD_LIBRARY_PATH
/// only at process start, so putting a folder first on it from inside the test process would do nothing.
/// </summary>
internal static class MtmlShim
{
    private static readonly Dictionary<string, string> Variants = new(StringComparer.Ordinal)
    {
        ["two-devices"] = "",
        ["leak-check"] = "",
        ["driver-not-loaded"] = "-DSHIM_INIT_RESULT=1",
        ["no-devices"] = "-DSHIM_DEVICE_COUNT=0",
        ["not-mtml"] = "-DSHIM_OMIT_COUNT",
    };

    private static readonly Lazy<string> Folder = new(Build);

    /// <summary>Two MTT S4000 devices, 48 GiB each, driver 2.9.2-shim.</summary>
    public static string TwoDevices => PathOf("two-devices");

    /// <summary>The same library as <see cref="TwoDevices"/>, loaded by one test only so its object counter is not shared.</summary>
    public static string LeakCheck => PathOf("leak-check");

    /// <summary>mtmlLibraryInit returns MTML_ERROR_DRIVER_NOT_LOADED.</summary>
    public static string DriverNotLoaded => PathOf("driver-not-loaded");

    /// <summary>MTML that counts zero devices.</summary>
    public static string NoDevices => PathOf("no-devices");

    /// <summary>A library named like MTML that lacks mtmlLibraryCountDevice.</summary>
    public static string NotMtml => PathOf("not-mtml");

    private static string PathOf(string variant) => Path.Combine(Folder.Value, $"libmtml-{variant}.so");

    private static string Build()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Shim", "mtml_shim.c");
        var folder = Path.Combine(Path.GetTempPath(), "sgl-mtml-shim-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(folder);

        foreach (var (variant, defines) in Variants)
        {
            var output = Path.Combine(folder, $"libmtml-{variant}.so");
            var start = new ProcessStartInfo("gcc")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            foreach (var arg in new[] { "-shared", "-fPIC", "-O1", "-Wall", "-Wextra", "-Werror", "-o", output, source })
            {
                start.ArgumentList.Add(arg);
            }

            if (defines.Length > 0)
            {
                start.ArgumentList.Add(defines);
            }

            using var gcc = Process.Start(start) ?? throw new InvalidOperationException("gcc could not be started; the MTML shim tests need gcc on PATH.");
            var errors = gcc.StandardError.ReadToEnd();
            gcc.WaitForExit();
            if (gcc.ExitCode != 0)
            {
                throw new InvalidOperationException($"gcc failed to build the MTML shim variant '{variant}' (exit {gcc.ExitCode}): {errors}");
            }
        }

        return folder;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Another process may still map a variant; the temp folder is cleaned by the OS eventually.
        }
    }
}
