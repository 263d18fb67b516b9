namespace Sgl.Platforms.Installer;

/// <summary>Where a <see cref="PluginInstaller"/> installs and which NuGet.config it reads.</summary>
public sealed class PluginInstallerOptions
{
    /// <summary>
    /// The plugins home; null means <c>SGL_PLATFORMS_HOME</c>, or <c>~/.sgl/platforms</c> when that is unset —
    /// the same folder the host loads installed plugins from.
    /// </summary>
    public string? PlatformsHome { get; set; }

    /// <summary>
    /// Where NuGet.config lookup starts (then each parent folder, then the user's NuGet.config); null means
    /// the current directory.
    /// </summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>How long to wait for another install into the same home to finish (default 5 minutes).</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Limits on what one package may download and expand to; null means the defaults, each overridden by its
    /// <c>SGL_PACKAGE_MAX_*</c> environment variable (see <see cref="PackageLimits.FromEnvironment"/>).
    /// </summary>
    public PackageLimits? Limits { get; set; }
}
