namespace Sgl.Platforms.Selection;

/// <summary>Where a platform candidate came from.</summary>
public enum CandidateSource
{
    /// <summary>Shipped inside the host.</summary>
    BuiltIn,

    /// <summary>A NuGet package the application references.</summary>
    Package,

    /// <summary>Installed at run time with <c>sgl platforms install</c>.</summary>
    Installed,

    /// <summary>A development path from <c>SGL_PLATFORM_PLUGIN_PATH</c>.</summary>
    DevPath,
}
