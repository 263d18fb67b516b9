namespace Sgl.Platforms.Selection;

/// <summary>What happened to a platform candidate during selection.</summary>
public enum CandidateStatus
{
    /// <summary>Probed; the hardware is usable.</summary>
    Available,

    /// <summary>Probed; no such hardware.</summary>
    NotPresent,

    /// <summary>Probed; hardware seen but unusable.</summary>
    Unavailable,

    /// <summary>Could not be loaded, constructed or probed (an exception); see the reason.</summary>
    Failed,

    /// <summary>The probe ran past <c>SGL_PROBE_TIMEOUT_MS</c>.</summary>
    TimedOut,

    /// <summary>Refused by validation (name, kind, duplicate, contract version) before its code ran.</summary>
    Rejected,

    /// <summary>Left out by <c>SGL_PLATFORM</c> or <c>SGL_PLATFORM_PLUGINS</c>; its code was not loaded.</summary>
    Excluded,
}
