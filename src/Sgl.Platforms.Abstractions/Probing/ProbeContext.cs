namespace Sgl.Platforms.Probing;

/// <summary>What a probe may look at: the system view and a cancellation token honoured on timeout.</summary>
public sealed class ProbeContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="system">The system view, rooted at <c>SGL_SYSTEM_ROOT</c>.</param>
    /// <param name="cancellationToken">Cancelled when the probe's time is up.</param>
    public ProbeContext(SystemView system, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        System = system;
        CancellationToken = cancellationToken;
    }

    /// <summary>The machine as the probe may see it.</summary>
    public SystemView System { get; }

    /// <summary>Cancelled when the probe's time budget (<c>SGL_PROBE_TIMEOUT_MS</c>) is spent.</summary>
    public CancellationToken CancellationToken { get; }
}
