using System.Diagnostics;

namespace Sgl.Platforms.Installer.Tests.Support;

/// <summary>
/// A tmpfs of a few hundred KiB mounted on a folder, so a test can fill a real disk. Mounting needs
/// root (tests run as root in CI); where it is not allowed the test is skipped with the reason.
/// </summary>
internal sealed class SmallFileSystem : IDisposable
{
    private SmallFileSystem(string mountPoint) => MountPoint = mountPoint;

    public string MountPoint { get; }

    public static SmallFileSystem Mount(string mountPoint, int kibibytes)
    {
        Directory.CreateDirectory(mountPoint);
        var (exitCode, error) = Run("mount", "-t", "tmpfs", "-o", $"size={kibibytes}k,mode=0755", "tmpfs", mountPoint);
        if (exitCode != 0)
        {
            Assert.Skip($"Mounting a small tmpfs to fill the disk needs root: {error.Trim()}");
        }

        return new SmallFileSystem(mountPoint);
    }

    public void Dispose() => Run("umount", "-l", MountPoint);

    private static (int ExitCode, string Error) Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error);
    }
}
