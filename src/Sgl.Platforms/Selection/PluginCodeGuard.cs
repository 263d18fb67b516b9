using System.Runtime.InteropServices;
using System.Text;

namespace Sgl.Platforms.Selection;

/// <summary>
/// Contains what plugin code can do to the process while platforms are resolved (discovery, composition,
/// constructors, probes, contributions):
/// <list type="bullet">
/// <item>Standard output. When the process owns it as its output (<see cref="ProtectStandardOutput"/>: the
/// <c>sgl</c> CLI, whose <c>--json</c> is read by programs), what plugins write there, through
/// <see cref="Console.Out"/> or natively through file descriptor 1 (on Linux), is captured and shown on standard error
/// instead, under a header.</item>
/// <item>Process exit. An <c>Environment.Exit</c> from plugin code while resolving is reported on standard
/// error and its exit code forced non-zero: a plugin ending the process is never a silent success.</item>
/// </list>
/// Scopes nest and may overlap across threads; the first opens the capture, the last closes it.
/// </summary>
internal static partial class PluginCodeGuard
{
    /// <summary>The exit code forced when plugin code ends the process while resolving.</summary>
    public const int ExitDuringResolution = 70;

    /// <summary>The most characters shown of what plugin code wrote, per channel (managed and native); the rest is counted.</summary>
    public const int MaxShownChars = 64 * 1024;

    private static readonly Lock Gate = new();
    private static int _depth;
    private static TextWriter? _savedOut;
    private static BoundedCapture? _managed;
    private static int _savedDescriptor = -1;
    private static FileStream? _native;
    private static string? _activity;
    private static GuardedPhase _phase;

    /// <summary>
    /// Set by a process whose standard output is its own output (the <c>sgl</c> CLI, the probe host). Off in
    /// a library host: there, standard output is the application's, and other threads may be writing to it.
    /// </summary>
    public static bool ProtectStandardOutput { get; set; }

    /// <summary>Opens a scope in which plugin code runs.</summary>
    /// <param name="phase">What the process is doing, for the messages (the outermost scope's phase is used).</param>
    public static Scope Enter(GuardedPhase phase = GuardedPhase.Resolution)
    {
        lock (Gate)
        {
            if (_depth++ == 0)
            {
                _phase = phase;
                AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
                if (ProtectStandardOutput)
                {
                    Capture();
                }
            }
        }

        return new Scope();
    }

    /// <summary>Says what plugin code is running, for the message if it ends the process.</summary>
    public static void Note(string activity) => Volatile.Write(ref _activity, activity);

    private static void Leave()
    {
        string? captured = null;
        lock (Gate)
        {
            if (--_depth == 0)
            {
                AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
                captured = Release();
                _activity = null;
            }
        }

        if (!string.IsNullOrEmpty(captured))
        {
            var error = Console.Error;
            error.WriteLine($"sgl: plugin code wrote to standard output {During(_phase)}; it is shown here instead, so that sgl's own output stays intact:");
            error.Write(captured);
            if (!captured.EndsWith('\n'))
            {
                error.WriteLine();
            }
        }
    }

    private static void Capture()
    {
        _savedOut = Console.Out;
        _managed = new BoundedCapture();
        Console.SetOut(TextWriter.Synchronized(_managed));
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // Native code writes to descriptor 1 directly: point it at a private file while plugins run.
        try
        {
            var path = Path.Combine(Path.GetTempPath(), $"sgl-plugin-stdout-{Environment.ProcessId}-{Guid.NewGuid():N}");
            _native = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite, 4096, FileOptions.DeleteOnClose);
            _ = Libc.fflush(IntPtr.Zero);
            // Close-on-exec: a child started meanwhile (the probe host) must not inherit sgl's real stdout.
            _savedDescriptor = Libc.fcntl(1, Libc.DuplicateCloseOnExec, 0);
            if (_savedDescriptor < 0 || Libc.dup2((int)_native.SafeFileHandle.DangerousGetHandle(), 1) < 0)
            {
                CloseNative();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException)
        {
            CloseNative(); // the managed capture still holds; native writes go where they always went
        }
    }

    /// <summary>Restores standard output and returns what was captured.</summary>
    private static string? Release()
    {
        if (_managed is null)
        {
            return null;
        }

        var text = new StringBuilder();
        if (_savedDescriptor >= 0)
        {
            _ = Libc.fflush(IntPtr.Zero);
            _ = Libc.dup2(_savedDescriptor, 1); // it cannot fail for two open descriptors
            var written = _native!.Length;
            _native.Position = 0;
            var bytes = new byte[(int)Math.Min(written, MaxShownChars)];
            _native.ReadExactly(bytes);
            text.Append(Encoding.UTF8.GetString(bytes));
            if (written > bytes.Length)
            {
                text.Append(FormattableString.Invariant($"\n… ({written - bytes.Length:N0} more bytes not shown)\n"));
            }
        }

        CloseNative();
        Console.SetOut(_savedOut!);
        text.Append(_managed.ToString());
        _managed = null;
        _savedOut = null;
        return text.ToString();
    }

    private static void CloseNative()
    {
        if (_savedDescriptor >= 0)
        {
            _ = Libc.close(_savedDescriptor);
            _savedDescriptor = -1;
        }

        _native?.Dispose();
        _native = null;
    }

    private static void OnProcessExit(object? sender, EventArgs e)
    {
        string? captured;
        lock (Gate)
        {
            captured = Release();
        }

        var activity = Volatile.Read(ref _activity);
        var error = Console.Error;
        if (!string.IsNullOrEmpty(captured))
        {
            error.Write(captured);
        }

        error.WriteLine(_phase == GuardedPhase.Resolution
            ? $"error: plugin code ended the process (exit code {Environment.ExitCode}) {During(_phase)}{(activity is null ? "" : $" ({activity})")}. " +
              $"No platform was selected; the process exits with {ExitDuringResolution}. Remove or fix the plugin (run 'sgl platforms list' with SGL_PROBE_ISOLATION=process to see which), or set SGL_PLATFORM to a platform that works."
            : $"error: plugin code ended the process (exit code {Environment.ExitCode}) {During(_phase)}{(activity is null ? "" : $" ({activity})")}. " +
              $"The run did not finish; the process exits with {ExitDuringResolution}. Report it to the platform's vendor, or set SGL_PLATFORM to another platform.");
        error.Flush();
        Environment.ExitCode = ExitDuringResolution;
    }

    private static string During(GuardedPhase phase) => phase == GuardedPhase.Resolution
        ? "while platforms were being resolved"
        : "while the selected platform ran the model";

    /// <summary>Keeps the first <see cref="MaxShownChars"/> characters written and counts the rest, so plugin output cannot fill memory.</summary>
    private sealed class BoundedCapture : TextWriter
    {
        private readonly StringBuilder _kept = new();
        private long _dropped;

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value) => Write(new ReadOnlySpan<char>(in value));

        public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

        public override void Write(string? value) => Write(value.AsSpan());

        public override void Write(ReadOnlySpan<char> buffer)
        {
            var room = Math.Max(0, MaxShownChars - _kept.Length);
            _kept.Append(buffer[..Math.Min(room, buffer.Length)]);
            _dropped += Math.Max(0, buffer.Length - room);
        }

        public override string ToString() => _dropped == 0 ? _kept.ToString() : FormattableString.Invariant($"{_kept}\n… ({_dropped:N0} more characters not shown)\n");
    }

    /// <summary>One scope of plugin code; dispose it when the plugin code is done.</summary>
    internal readonly struct Scope : IDisposable
    {
        public void Dispose() => Leave();
    }

    private static partial class Libc
    {
        /// <summary>F_DUPFD_CLOEXEC on Linux.</summary>
        public const int DuplicateCloseOnExec = 1030;

        [LibraryImport("libc")]
        public static partial int fcntl(int fd, int command, int argument);

        [LibraryImport("libc")]
        public static partial int dup2(int oldfd, int newfd);

        [LibraryImport("libc")]
        public static partial int close(int fd);

        [LibraryImport("libc")]
        public static partial int fflush(IntPtr stream);
    }
}

/// <summary>What a process is doing while plugin code runs under <see cref="PluginCodeGuard"/>.</summary>
internal enum GuardedPhase
{
    /// <summary>Discovering, constructing and probing platforms.</summary>
    Resolution,

    /// <summary>The selected platform (and its contributions) running a model.</summary>
    Run,
}
