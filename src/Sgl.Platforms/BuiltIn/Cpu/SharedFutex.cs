using System.Runtime.InteropServices;

namespace Sgl.Platforms.BuiltIn.Cpu;

/// <summary>
/// Linux futexes on a word of shared memory (not <c>FUTEX_PRIVATE_FLAG</c>: the waiters are other processes that map
/// the same segment). A waiter sleeps in the kernel until the word changes, and wakes within microseconds of the
/// write, where <c>Thread.Sleep(1)</c> would cost a millisecond per wait. Elsewhere <see cref="IsAvailable"/> is false.
/// </summary>
internal static unsafe class SharedFutex
{
    private const int FutexWait = 0;
    private const int FutexWake = 1;

    /// <summary>The futex system call's number on this architecture, or -1 where this class does not know it.</summary>
    private static readonly long SystemCall = !OperatingSystem.IsLinux() ? -1 : RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 202,
        Architecture.Arm64 => 98,
        _ => -1,
    };

    public static bool IsAvailable => SystemCall >= 0;

    /// <summary>Sleeps while <c>*word == expected</c>, for at most <paramref name="timeoutMilliseconds"/>; returns at once otherwise.</summary>
    public static void Wait(int* word, int expected, int timeoutMilliseconds)
    {
        var timeout = new TimeSpec { Seconds = timeoutMilliseconds / 1000, Nanoseconds = timeoutMilliseconds % 1000 * 1_000_000L };
        // Spurious wake-ups, EAGAIN (the word already changed), EINTR and ETIMEDOUT all mean: look again.
        _ = syscall(SystemCall, word, FutexWait, expected, &timeout, null, 0);
    }

    /// <summary>Wakes every process waiting on <paramref name="word"/>.</summary>
    public static void WakeAll(int* word) => _ = syscall(SystemCall, word, FutexWake, int.MaxValue, null, null, 0);

    [DllImport("libc", ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern long syscall(long number, int* word, int operation, int value, TimeSpec* timeout, int* word2, int value3);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
