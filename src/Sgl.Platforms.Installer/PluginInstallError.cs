namespace Sgl.Platforms.Installer;

/// <summary>What kind of problem stopped an install, removal or restore.</summary>
public enum PluginInstallError
{
    /// <summary>No configured source has a package with that id.</summary>
    PackageNotFound,

    /// <summary>The package exists, but not in the requested version (or only as a prerelease).</summary>
    VersionNotFound,

    /// <summary>A dependency the package declares is on no source that may serve it.</summary>
    DependencyNotFound,

    /// <summary>The package's dependencies cannot be satisfied together.</summary>
    DependencyConflict,

    /// <summary>The package holds no assembly that exports a Platform, or none for this framework.</summary>
    NotAPlatformPlugin,

    /// <summary>The plugin was built against a contract major version this host does not provide.</summary>
    IncompatibleContract,

    /// <summary>The signature policy in NuGet.config refuses the package.</summary>
    SignatureRejected,

    /// <summary>The package tries to write outside its folder or collides with another package's files.</summary>
    UnsafePackage,

    /// <summary>A downloaded package or extracted file does not match the SHA-512 in the lock file.</summary>
    HashMismatch,

    /// <summary>NuGet.config (sources, packageSourceMapping, HTTP policy) does not allow the source.</summary>
    SourceNotAllowed,

    /// <summary>A feed could not be reached or the transfer failed.</summary>
    FeedFailed,

    /// <summary>The plugin to remove is not installed.</summary>
    NotInstalled,

    /// <summary>The lock file cannot be read.</summary>
    InvalidLockFile,

    /// <summary>Another install into the same home held the lock for longer than the configured wait.</summary>
    HomeBusy,

    /// <summary>The home folder holds other files and is not a plugins home.</summary>
    NotAPluginsHome,

    /// <summary>The home, its lock file or a parent folder could be changed by another user.</summary>
    UnsafeHome,

    /// <summary>A package is larger, holds more entries or compresses more than the limits allow.</summary>
    PackageTooLarge,

    /// <summary>Writing to the home failed (a full disk, an I/O error); nothing was changed.</summary>
    HomeWriteFailed,

    /// <summary>The host's own rules (names, kinds, reserved names, duplicates) would refuse the plugin.</summary>
    RejectedByHost,

    /// <summary>A plugin assembly references an assembly that neither the host nor the package's dependencies provide.</summary>
    UnsatisfiedReference,
}
