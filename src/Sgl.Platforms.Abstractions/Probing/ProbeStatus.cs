namespace Sgl.Platforms.Probing;

/// <summary>What a probe found.</summary>
public enum ProbeStatus
{
    /// <summary>The hardware is present and usable.</summary>
    Available,

    /// <summary>No such hardware on this machine.</summary>
    NotPresent,

    /// <summary>The hardware is present but cannot be used (missing driver or library, for example); the reason says why.</summary>
    Unavailable,
}
