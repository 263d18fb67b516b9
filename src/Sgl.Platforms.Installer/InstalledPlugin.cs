namespace Sgl.Platforms.Installer;

/// <summary>An installed plugin as <c>platforms.lock.json</c> pins it.</summary>
/// <param name="Id">The package id.</param>
/// <param name="Version">The normalized version.</param>
/// <param name="Source">The source it was installed from.</param>
/// <param name="Directory">The folder it is extracted to.</param>
/// <param name="Platforms">The platform names it exports.</param>
/// <param name="Dependencies">The packages it brought, as <c>id/version</c>.</param>
/// <param name="Problem">Why the host would refuse it now (changed files, missing folder, loose permissions), or null when it verifies.</param>
public sealed record InstalledPlugin(
    string Id,
    string Version,
    string Source,
    string Directory,
    IReadOnlyList<string> Platforms,
    IReadOnlyList<string> Dependencies,
    string? Problem);
