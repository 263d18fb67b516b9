namespace Sgl.Platforms.Contributions;

/// <summary>What happened to a contribution during selection.</summary>
public enum ContributionStatus
{
    /// <summary>It extends the selected platform and was composed: the runtime may use it.</summary>
    Active,

    /// <summary>It extends a platform that was not selected; it was not loaded.</summary>
    Unused,

    /// <summary>Left out by <c>SGL_PLATFORM_CONTRIBUTIONS</c>; it was not loaded.</summary>
    Excluded,

    /// <summary>Its metadata breaks a rule (name, target, contract version, a duplicate name); it was not loaded.</summary>
    Rejected,

    /// <summary>Loading or constructing it threw.</summary>
    Failed,

    /// <summary>Constructing it did not finish within the probe timeout.</summary>
    TimedOut,
}
