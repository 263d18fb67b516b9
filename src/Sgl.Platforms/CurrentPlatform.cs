using Microsoft.Extensions.Logging;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms;

/// <summary>
/// The process's current platform, resolved once (lazily, thread-safe) by whichever asks first:
/// this class or the Generic Host integration. Runtimes reach hardware only through it.
/// </summary>
public static class CurrentPlatform
{
    private static readonly Lock Gate = new();
    private static readonly AsyncLocal<Platform?> ScopedOverride = new();
    private static SelectionReport? s_report;
    private static Platform? s_platform;
    private static int s_overrides;

    /// <summary>The current platform.</summary>
    /// <exception cref="PlatformSelectionException">No platform could be selected; the message says why and what to set.</exception>
    public static Platform Instance
    {
        get
        {
            // Hot path: one static read when no test scope is active.
            if (Volatile.Read(ref s_overrides) == 0 && s_platform is { } platform)
            {
                return platform;
            }

            return ScopedOverride.Value ?? Resolve().GetPlatformOrThrow();
        }
    }

    /// <summary>The selection report of this process's resolution (resolving now if nothing has yet).</summary>
    public static SelectionReport Report => Resolve();

    /// <summary>True once the process's platform has been resolved.</summary>
    public static bool IsResolved => Volatile.Read(ref s_report) is not null;

    /// <summary>
    /// Makes <paramref name="platform"/> the current platform for the calling async flow until the
    /// returned scope is disposed. For tests; other flows and threads keep the resolved platform.
    /// </summary>
    /// <param name="platform">The platform to use.</param>
    public static IDisposable Override(Platform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        var previous = ScopedOverride.Value;
        ScopedOverride.Value = platform;
        Interlocked.Increment(ref s_overrides);
        return new OverrideScope(previous);
    }

    /// <summary>Resolves with the environment's settings unless already resolved.</summary>
    internal static SelectionReport Resolve() => Resolve(static () => PlatformOptions.FromEnvironment(), null);

    /// <summary>Resolves with the given settings unless already resolved; the first resolution wins for the process.</summary>
    internal static SelectionReport Resolve(Func<PlatformOptions> options, ILogger? logger)
    {
        if (Volatile.Read(ref s_report) is { } done)
        {
            return done;
        }

        lock (Gate)
        {
            if (s_report is { } report)
            {
                return report;
            }

            report = new PlatformResolver(options(), logger ?? StandardErrorLogger.Instance).Resolve();
            s_platform = report.Platform;
            Volatile.Write(ref s_report, report);
            return report;
        }
    }

    /// <summary>Forgets the resolution so the next access resolves again. For tests of resolution itself.</summary>
    internal static void ResetForTesting()
    {
        lock (Gate)
        {
            s_platform = null;
            Volatile.Write(ref s_report, null);
        }
    }

    private sealed class OverrideScope(Platform? previous) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                ScopedOverride.Value = previous;
                Interlocked.Decrement(ref s_overrides);
            }
        }
    }
}
