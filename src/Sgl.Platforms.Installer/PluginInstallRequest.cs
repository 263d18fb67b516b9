namespace Sgl.Platforms.Installer;

/// <summary>What to install.</summary>
/// <param name="PackageId">The NuGet package id, for example <c>Sgl.Platform.Musa</c>.</param>
public sealed record PluginInstallRequest(string PackageId)
{
    /// <summary>An exact version; null installs the highest available (stable unless <see cref="Prerelease"/>).</summary>
    public string? Version { get; init; }

    /// <summary>A source from NuGet.config, by name or by its URL or folder; null uses every source the package is mapped to.</summary>
    public string? Source { get; init; }

    /// <summary>Allow prerelease versions when <see cref="Version"/> is not given.</summary>
    public bool Prerelease { get; init; }
}
